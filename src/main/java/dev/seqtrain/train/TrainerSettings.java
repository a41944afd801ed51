package dev.seqtrain.train;

import dev.seqtrain.nn.LearningRateSchedule;
import dev.seqtrain.nn.Optimizer;

import java.io.Serializable;
import java.util.List;

/**
 * How a distributed run trains.
 *
 * @param averagingFrequencies local minibatches per round (K) for each epoch, the last repeating
 *                             for later epochs; 0 = a whole pass over the partition. A list (not an
 *                             array) because these settings key a per-thread cache by value.
 * @param averageGradients     synchronous SGD: every round each worker computes one minibatch
 *                             gradient and the driver applies one optimizer step with their average
 * @param averageOptimizerState average optimizer state with the weights, else reset it every round
 * @param learningRateScaling  how the base learning rate grows with the number of workers
 * @param fanIn                worker results summed per aggregation task
 * @param blockMomentum        how the driver filters the averages ({@link BlockMomentum#NONE}: plain averaging)
 * @param warmupSteps          optimizer steps over which the learning rate ramps linearly from its
 *                             one-worker value to the one {@code learningRateScaling} gives (Goyal et al. 2017)
 */
public record TrainerSettings(int epochs, int batchSize, int workers, List<Integer> averagingFrequencies,
                              boolean averageGradients, boolean averageOptimizerState, LearningRateScaling learningRateScaling,
                              Optimizer optimizer, LearningRateSchedule schedule, double clipNorm, int tbptt, long seed,
                              int patience, int checkpointEvery, int keepCheckpoints, int fanIn, float forgetBias,
                              BlockMomentum blockMomentum, long warmupSteps)
        implements Serializable {

    /** Plain averaging, no warm-up. */
    public TrainerSettings(int epochs, int batchSize, int workers, List<Integer> averagingFrequencies,
                           boolean averageGradients, boolean averageOptimizerState, LearningRateScaling learningRateScaling,
                           Optimizer optimizer, LearningRateSchedule schedule, double clipNorm, int tbptt, long seed,
                           int patience, int checkpointEvery, int keepCheckpoints, int fanIn, float forgetBias) {
        this(epochs, batchSize, workers, averagingFrequencies, averageGradients, averageOptimizerState, learningRateScaling,
                optimizer, schedule, clipNorm, tbptt, seed, patience, checkpointEvery, keepCheckpoints, fanIn, forgetBias,
                BlockMomentum.NONE, 0);
    }

    public TrainerSettings {
        if (averagingFrequencies.isEmpty()) {
            throw new IllegalArgumentException("averagingFrequencies must not be empty");
        }
        averagingFrequencies = List.copyOf(averagingFrequencies);
    }

    /** True for "epoch", an integer K >= 1, or a comma-separated list of them (spaces around each allowed). */
    public static boolean isAveragingFrequencies(String value) {
        for (String part : value.split(",", -1)) {
            String p = part.trim();
            if (p.equals("epoch")) {
                continue;
            }
            if (!p.matches("[1-9]\\d*")) {
                return false;
            }
            try {
                Integer.parseInt(p);
            } catch (NumberFormatException e) {
                return false;   // beyond an int
            }
        }
        return true;
    }

    /** "epoch", "K" or "K1,K2,epoch" (checked by {@link #isAveragingFrequencies}) as the list this record holds: epoch = 0. */
    public static List<Integer> parseAveragingFrequencies(String value) {
        List<Integer> k = new java.util.ArrayList<>();
        for (String part : value.split(",")) {
            k.add(part.trim().equals("epoch") ? 0 : Integer.parseInt(part.trim()));
        }
        return k;
    }

    /** K in epoch {@code epoch} (0-based): 0 = the whole partition. */
    public int averagingFrequency(int epoch) {
        return averagingFrequencies.get(Math.min(epoch, averagingFrequencies.size() - 1));
    }

    /** The same settings with the learning rate multiplied by {@code factor} (worker scaling, rollback after divergence). */
    public TrainerSettings withLearningRateScale(double factor) {
        return withSchedule(schedule.scaled(factor));
    }

    /**
     * The same settings with the learning rate multiplied by the worker scaling factor, reached after a
     * linear warm-up of {@code warmupSteps} optimizer steps from the unscaled rate.
     */
    public TrainerSettings withWorkerScaling(int workers) {
        double factor = learningRateScaling.factor(workers);
        return withSchedule(schedule.scaled(factor).withWarmup(warmupSteps, (float) (1 / factor)));
    }

    public TrainerSettings withBlockMomentum(BlockMomentum b) {
        return new TrainerSettings(epochs, batchSize, workers, averagingFrequencies, averageGradients, averageOptimizerState,
                learningRateScaling, optimizer, schedule, clipNorm, tbptt, seed, patience, checkpointEvery, keepCheckpoints, fanIn,
                forgetBias, b, warmupSteps);
    }

    private TrainerSettings withSchedule(LearningRateSchedule s) {
        return new TrainerSettings(epochs, batchSize, workers, averagingFrequencies, averageGradients, averageOptimizerState,
                learningRateScaling, optimizer, s, clipNorm, tbptt, seed, patience, checkpointEvery, keepCheckpoints, fanIn,
                forgetBias, blockMomentum, warmupSteps);
    }
}
