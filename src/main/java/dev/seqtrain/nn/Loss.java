package dev.seqtrain.nn;

/**
 * A loss at one output position (one row of the head's outputs). Implementations compute the loss
 * in double and, when asked, overwrite the row with the loss's gradient with respect to it.
 */
public interface Loss {

    /**
     * @param out         head outputs; row {@code [off, off+width)}
     * @param classTarget the target class (class-target losses only)
     * @param targets     target values, row at {@code tOff} (value-target losses only)
     * @param gradient    replace the row by d(loss)/d(out)
     * @return the loss at this position
     */
    double lossAt(float[] out, int off, int width, int classTarget, float[] targets, int tOff, boolean gradient);

    /** Turns a row of head outputs into the user-facing prediction (probabilities, or values). */
    void toPrediction(float[] out, int off, int width);

    static Loss of(LossKind kind) {
        return switch (kind) {
            case SOFTMAX_CROSS_ENTROPY -> new SoftmaxCrossEntropy();
            case SIGMOID_BINARY_CROSS_ENTROPY -> new SigmoidBinaryCrossEntropy();
            case MEAN_SQUARED_ERROR -> new MeanSquaredError();
        };
    }
}
