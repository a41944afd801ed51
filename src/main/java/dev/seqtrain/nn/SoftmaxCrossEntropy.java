package dev.seqtrain.nn;

/** {@code −log softmax(x)[y]}; gradient {@code softmax(x) − onehot(y)}. */
public final class SoftmaxCrossEntropy implements Loss {
    @Override
    public double lossAt(float[] out, int off, int width, int y, float[] targets, int tOff, boolean gradient) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
            max = Math.max(max, out[off + j]);
        }
        double sum = 0;
        for (int j = 0; j < width; j++) {
            sum += Math.exp(out[off + j] - max);
        }
        double logSum = Math.log(sum);
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
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
            max = Math.max(max, out[off + j]);
        }
        double sum = 0;
        for (int j = 0; j < width; j++) {
            sum += Math.exp(out[off + j] - max);
        }
        for (int j = 0; j < width; j++) {
            out[off + j] = (float) (Math.exp(out[off + j] - max) / sum);
        }
    }
}
