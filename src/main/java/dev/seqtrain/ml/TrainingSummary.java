package dev.seqtrain.ml;

import java.io.Serializable;

/**
 * What a fit did, epoch by epoch: the mean training loss, the validation loss (empty without
 * {@code validationIndicatorCol}), and the epoch whose weights the model holds (1-based; the last
 * one without validation, the best one with it), and {@code resumedAfterEpoch}: the epochs a
 * checkpoint in {@code checkpointDir} already held when this fit started (0 = trained from the
 * start; the history includes those epochs either way). Empty for a loaded model.
 */
public record TrainingSummary(double[] trainingLoss, double[] validationLoss, int bestEpoch, int resumedAfterEpoch)
        implements Serializable {
    static final TrainingSummary EMPTY = new TrainingSummary(new double[0], new double[0], 0, 0);

    public TrainingSummary {
        trainingLoss = trainingLoss.clone();
        validationLoss = validationLoss.clone();
    }

    @Override
    public double[] trainingLoss() {
        return trainingLoss.clone();
    }

    @Override
    public double[] validationLoss() {
        return validationLoss.clone();
    }

    /** Epochs that ran (fewer than asked when early stopping ended the fit). */
    public int epochsRun() {
        return trainingLoss.length;
    }
}
