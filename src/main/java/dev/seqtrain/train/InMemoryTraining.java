package dev.seqtrain.train;

import dev.seqtrain.nn.LossSum;
import dev.seqtrain.nn.NetworkSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Training without a run directory, for the Spark ML estimators: the same rounds as {@link TrainingRun}
 * but no metrics file, and checkpoints only where the estimator asks ({@link FitCheckpoints}). With validation data the validation loss is computed after every
 * epoch, the weights of the best epoch are kept, and {@code settings.patience()} epochs without a
 * better loss end the fit early (0 = never).
 */
public final class InMemoryTraining {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryTraining.class);

    /**
     * The kept parameters, the loss of each epoch that ran, the kept epoch (1-based), and the epochs a
     * checkpoint had already done when this fit started (0 = from the start).
     */
    public record Result(float[] params, double[] trainLoss, double[] validLoss, int bestEpoch, int resumedAfterEpoch) {
    }

    private InMemoryTraining() {
    }

    public static Result fit(ParameterAveragingTrainer trainer, NetworkSpec spec, TrainerSettings settings) {
        try {
            return fit(trainer, spec, settings, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // cannot happen: no checkpoints to read or write
        }
    }

    /**
     * @param checkpoints where to keep and find this fit's checkpoints, or null for none; a fit that
     *                    finds its own checkpoint continues after it (and one that had finished returns
     *                    at once)
     */
    public static Result fit(ParameterAveragingTrainer trainer, NetworkSpec spec, TrainerSettings settings,
                             FitCheckpoints checkpoints) throws IOException {
        ModelState state = ModelState.initial(spec, settings);
        List<Double> train = new ArrayList<>();
        List<Double> valid = new ArrayList<>();
        float[] best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        int withoutImprovement = 0;
        int firstEpoch = 0;
        FitCheckpoints.Progress resumed = checkpoints == null ? null : checkpoints.resume();
        if (resumed != null) {
            LOG.info("continuing after epoch {} from its checkpoint", resumed.epochsDone());
            if (resumed.stoppedEarly()) {
                return new Result(resumed.best() != null ? resumed.best() : resumed.state().params(), toArray(resumed.train()),
                        toArray(resumed.valid()), resumed.bestEpoch(), resumed.epochsDone());
            }
            state = resumed.state();
            train.addAll(resumed.train());
            valid.addAll(resumed.valid());
            best = resumed.best();
            bestLoss = resumed.bestLoss();
            bestEpoch = resumed.bestEpoch();
            withoutImprovement = resumed.withoutImprovement();
            firstEpoch = resumed.epochsDone();
        }
        for (int epoch = firstEpoch; epoch < settings.epochs(); epoch++) {
            LossSum loss = LossSum.ZERO;
            int rounds = trainer.roundsPerEpoch(epoch);
            for (int r = 0; r < rounds; r++) {
                var step = trainer.round(state, epoch, r);
                TrainingRun.checkFinite(step._1(), step._2().loss(), epoch, r, "lower learningRate or set clipNorm");
                state = step._1();
                loss = loss.plus(step._2().loss());
            }
            train.add(loss.mean());
            LossSum v = trainer.evaluate(state.params());
            boolean stop = false;
            if (v == null) {
                bestEpoch = epoch + 1;
                LOG.info("epoch {}/{}: training loss {}", epoch + 1, settings.epochs(), String.format("%.4f", loss.mean()));
            } else {
                valid.add(v.mean());
                LOG.info("epoch {}/{}: training loss {}, validation loss {}", epoch + 1, settings.epochs(),
                        String.format("%.4f", loss.mean()), String.format("%.4f", v.mean()));
                if (v.mean() < bestLoss) {
                    bestLoss = v.mean();
                    bestEpoch = epoch + 1;
                    best = state.params().clone();
                    withoutImprovement = 0;
                } else if (settings.patience() > 0 && ++withoutImprovement >= settings.patience()) {
                    LOG.info("early stop after epoch {}: no better validation loss for {} epochs (best {} at epoch {})", epoch + 1,
                            withoutImprovement, String.format("%.4f", bestLoss), bestEpoch);
                    stop = true;
                }
            }
            if (checkpoints != null && checkpoints.due(epoch + 1, stop || epoch + 1 == settings.epochs())) {
                checkpoints.write(new FitCheckpoints.Progress(epoch + 1, state, best, train, valid, bestLoss, bestEpoch,
                        withoutImprovement, stop));
            }
            if (stop) {
                break;
            }
        }
        return new Result(best != null ? best : state.params(), toArray(train), toArray(valid), bestEpoch, firstEpoch);
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
