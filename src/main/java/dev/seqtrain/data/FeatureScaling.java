package dev.seqtrain.data;

import java.io.Serializable;

/**
 * Per-feature mean and standard deviation of the training steps, summed split by split and combined
 * on the driver in split order (so the bytes never depend on which task finished first), and the
 * standardisation {@code (x - mean) / std} applied to every example before training.
 */
public final class FeatureScaling {
    private FeatureScaling() {
    }

    /** Running sums over steps: Σx and Σx² per feature, and the step count. */
    public static final class Sums implements Serializable {
        final double[] sum;
        final double[] squares;
        long steps;

        public Sums(int features) {
            sum = new double[features];
            squares = new double[features];
        }

        public void add(RawSequence r) {
            int in = sum.length;
            float[] f = r.features();
            for (int t = 0; t < r.length(); t++) {
                for (int i = 0; i < in; i++) {
                    double v = f[t * in + i];
                    sum[i] += v;
                    squares[i] += v * v;
                }
            }
            steps += r.length();
        }

        public void add(Sums o) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += o.sum[i];
                squares[i] += o.squares[i];
            }
            steps += o.steps;
        }

        public int features() {
            return sum.length;
        }

        /** {mean, std}; a constant feature gets std 1e-6 rather than a division by zero. */
        public float[][] meanAndStd() {
            int in = sum.length;
            float[] mean = new float[in];
            float[] std = new float[in];
            double n = Math.max(1, steps);
            for (int i = 0; i < in; i++) {
                double m = sum[i] / n;
                double var = Math.max(0, squares[i] / n - m * m);
                mean[i] = (float) m;
                std[i] = (float) Math.max(Math.sqrt(var), 1e-6);
            }
            return new float[][] {mean, std};
        }
    }

    public static SequenceExample normalize(SequenceExample e, float[] mean, float[] std) {
        int in = mean.length;
        float[] f = new float[e.features().length];
        for (int t = 0; t < e.length(); t++) {
            for (int i = 0; i < in; i++) {
                f[t * in + i] = (e.features()[t * in + i] - mean[i]) / std[i];
            }
        }
        return new SequenceExample(e.length(), f, e.tokens(), e.label(), e.stepLabels(), e.targets());
    }
}
