package dev.seqtrain.nn;

/** {@code −log softmax(x)[y]}; gradient {@code softmax(x) − onehot(y)}. */
public final class SoftmaxCrossEntropy implements Loss {
    @Override
    public double lossAt(float[] out, int off, int width, int y, float[] targets, int tOff, boolean gradient) {
        float max = max(out, off, width);
        double logSum = Math.log(sumExp(out, off, width, max));
        double loss = logSum - (out[off + y] - max);
        if (gradient) {
            for (int j = 0; j < width; j++) {
                out[off + j] = (float) Math.exp(out[off + j] - max - logSum);
            }
            out[off + y] -= 1f;
        }
        return loss;
    }

    @Override
    public void toPrediction(float[] out, int off, int width) {
        float max = max(out, off, width);
        double sum = sumExp(out, off, width, max);
        for (int j = 0; j < width; j++) {
            out[off + j] = (float) (Math.exp(out[off + j] - max) / sum);
        }
    }

    private static float max(float[] x, int off, int width) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
            max = Math.max(max, x[off + j]);
        }
        return max;
    }

    /** {@code Σ exp(x − max)}: shifted by the maximum so that nothing overflows. */
    private static double sumExp(float[] x, int off, int width, float max) {
        double sum = 0;
        for (int j = 0; j < width; j++) {
            sum += Math.exp(x[off + j] - max);
        }
        return sum;
    }
}
