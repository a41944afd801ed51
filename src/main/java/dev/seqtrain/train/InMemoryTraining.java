package dev.seqtrain.train;

import dev.seqtrain.nn.LossSum;
import dev.seqtrain.nn.NetworkSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training without a run directory, for the Spark ML estimators: the same rounds as {@link TrainingRun}
 * but no checkpoints, metrics file or validation; the loss per epoch is kept for the model's summary.
 */
public final class InMemoryTraining {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryTraining.class);

    /** Final parameters and the mean training loss of each epoch. */
    public record Result(float[] params, double[] trainLoss) {
    }

    private InMemoryTraining() {
    }

    public static Result fit(ParameterAveragingTrainer trainer, NetworkSpec spec, TrainerSettings settings) {
        ModelState state = ModelState.initial(spec, settings);
        double[] history = new double[settings.epochs()];
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            LossSum loss = LossSum.ZERO;
            int rounds = trainer.roundsPerEpoch(epoch);
            for (int r = 0; r < rounds; r++) {
                var step = trainer.round(state, epoch, r);
                TrainingRun.checkFinite(step._1(), step._2().loss(), epoch, r, "lower learningRate or set clipNorm");
                state = step._1();
                loss = loss.plus(step._2().loss());
            }
            history[epoch] = loss.mean();
            LOG.info("epoch {}/{}: training loss {}", epoch + 1, settings.epochs(), String.format("%.4f", history[epoch]));
        }
        return new Result(state.params(), history);
    }
}
