package dev.seqtrain.nn;

/**
 * Binary cross-entropy of independent sigmoids against a multi-hot target, summed over the outputs
 * (so the mean over positions is the "NLL per step" used for polyphonic music). Computed from the
 * logits in the stable form {@code max(x,0) − x·t + log(1 + e^−|x|)}.
 */
public final class SigmoidBinaryCrossEntropy implements Loss {
    @Override
    public double lossAt(float[] out, int off, int width, int y, float[] targets, int tOff, boolean gradient) {
        double loss = 0;
        for (int j = 0; j < width; j++) {
            double x = out[off + j];
            double t = targets[tOff + j];
            loss += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
            if (gradient) {
                out[off + j] = (float) (1.0 / (1.0 + Math.exp(-x)) - t);
            }
        }
        return loss;
    }

    @Override
    public void toPrediction(float[] out, int off, int width) {
        for (int j = 0; j < width; j++) {
            out[off + j] = Activations.sigmoid(out[off + j]);
        }
    }
}
