package dev.seqtrain.nn;

import java.util.SplittableRandom;

/**
 * PyTorch's default initialisation for recurrent layers and linear heads: every weight and bias
 * uniform in {@code ±1/√hidden}. The LSTM forget-gate bias is then set so that {@code b_ih + b_hh}
 * equals {@code forgetBias} (1 by default), which helps gradients flow early in training.
 */
public final class Initializer {
    private Initializer() {
    }

    public static float[] initialize(NetworkSpec spec, long seed, float forgetBias) {
        ParameterLayout layout = new ParameterLayout(spec);
        float[] p = new float[layout.size()];
        SplittableRandom rng = new SplittableRandom(seed);
        double bound = 1.0 / Math.sqrt(spec.hidden());
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        if (spec.cell() == CellType.LSTM && !Float.isNaN(forgetBias)) {
            int h = spec.hidden();
            for (int l = 0; l < spec.layers(); l++) {
                int ih = layout.view("rnn.bias_ih_l" + l).offset();
                int hh = layout.view("rnn.bias_hh_l" + l).offset();
                for (int j = h; j < 2 * h; j++) {
                    p[ih + j] = forgetBias;
                    p[hh + j] = 0f;
                }
            }
        }
        return p;
    }
}
