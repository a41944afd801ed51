package dev.seqtrain.nn;

/** {@code mean_j (x_j − t_j)²} over the outputs of one position, like PyTorch's {@code MSELoss}. */
public final class MeanSquaredError implements Loss {
    @Override
    public double lossAt(float[] out, int off, int width, int y, float[] targets, int tOff, boolean gradient) {
        double loss = 0;
        for (int j = 0; j < width; j++) {
            double d = (double) out[off + j] - targets[tOff + j];
            loss += d * d;
            if (gradient) {
                out[off + j] = (float) (2 * d / width);
            }
        }
        return loss / width;
    }

    @Override
    public void toPrediction(float[] out, int off, int width) {
        // Regression outputs are the predictions.
    }
}
