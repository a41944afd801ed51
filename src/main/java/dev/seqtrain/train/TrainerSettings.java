package dev.seqtrain.train;

import dev.seqtrain.nn.LearningRateSchedule;
import dev.seqtrain.nn.Optimizer;

import java.io.Serializable;

/**
 * How a distributed run trains.
 *
 * @param averagingFrequency local minibatches per round (K); 0 = a whole pass over the partition
 * @param averageGradients   synchronous SGD: every round each worker computes one minibatch gradient
 *                           and the driver applies one optimizer step with their average
 * @param averageOptimizerState average optimizer state with the weights, else reset it every round
 * @param fanIn              worker results summed per aggregation task
 */
public record TrainerSettings(int epochs, int batchSize, int workers, int averagingFrequency, boolean averageGradients,
                              boolean averageOptimizerState, Optimizer optimizer, LearningRateSchedule schedule,
                              double clipNorm, int tbptt, long seed, int patience, int checkpointEvery, int keepCheckpoints,
                              int fanIn, float forgetBias) implements Serializable {

    /** The same settings with the learning rate multiplied by {@code factor} (rollback after divergence). */
    public TrainerSettings withLearningRateScale(double factor) {
        LearningRateSchedule s = schedule;
        LearningRateSchedule scaled = new LearningRateSchedule(s.kind(), (float) (s.baseRate() * factor), s.stepSize(), s.gamma(),
                s.totalSteps(), (float) (s.minRate() * factor));
        return new TrainerSettings(epochs, batchSize, workers, averagingFrequency, averageGradients, averageOptimizerState,
                optimizer, scaled, clipNorm, tbptt, seed, patience, checkpointEvery, keepCheckpoints, fanIn, forgetBias);
    }
}
