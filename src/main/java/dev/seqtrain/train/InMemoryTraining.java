package dev.seqtrain.train;

import dev.seqtrain.nn.Initializer;
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
        float[] init = Initializer.initialize(spec, Seeds.mix(settings.seed(), 4), settings.forgetBias());
        ModelState state = new ModelState(init, settings.optimizer().newState(init.length));
        double[] history = new double[settings.epochs()];
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            LossSum loss = LossSum.ZERO;
            int rounds = trainer.roundsPerEpoch(epoch);
            for (int r = 0; r < rounds; r++) {
                var step = trainer.round(state, epoch, r);
                state = step._1();
                loss = loss.plus(step._2().loss());
                if (!Double.isFinite(step._2().loss().mean())) {
                    throw new TrainingDivergedException("training diverged in epoch " + (epoch + 1) + ", round " + (r + 1)
                            + ": the loss is " + step._2().loss().mean() + " (lower learningRate or set clipNorm)");
                }
            }
            history[epoch] = loss.mean();
            LOG.info("epoch {}/{}: training loss {}", epoch + 1, settings.epochs(), String.format("%.4f", history[epoch]));
        }
        return new Result(state.params(), history);
    }
}
