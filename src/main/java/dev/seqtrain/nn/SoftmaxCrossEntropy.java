package dev.seqtrain.nn;

/** {@code −log softmax(x)[y]}; gradient {@code softmax(x) − onehot(y)}. */
public final class SoftmaxCrossEntropy implements Loss {
    @Override
    public double lossAt(float[] out, int off, int width, int y, float[] targets, int tOff, boolean gradient) {
        float max = max(out, off, width);
        float target = out[off + y];
        if (!gradient) {
            return Math.log(sumExp(out, off, width, max)) - (target - max);
        }
        // One exponential per output, kept in the row, then scaled to probabilities: the exponentials
        // are most of this loss's time, and a row of 65 characters is done 1,600 times per step.
        double sum = 0;
        for (int j = 0; j < width; j++) {
            double e = Math.exp(out[off + j] - max);
            sum += e;
            out[off + j] = (float) e;
        }
        double inverse = 1 / sum;
        for (int j = 0; j < width; j++) {
            out[off + j] = (float) (out[off + j] * inverse);
        }
        out[off + y] -= 1f;
        return Math.log(sum) - (target - max);
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
