package dev.seqtrain.nn;

import java.util.Arrays;

/** Elman RNN layer, PyTorch's {@code nn.RNN(nonlinearity='tanh')}: {@code h' = tanh(W_ih x + b_ih + W_hh h + b_hh)}. */
final class RnnLayer extends RecurrentLayer {
    /** [steps×B×H]: pre-activations (the outputs themselves are kept in {@code outputs}). */
    private float[] preActivations = new float[0];
    private float[] dPre = new float[0];
    private float[] dHidden = new float[0];

    RnnLayer(NetworkSpec spec, ParameterLayout layout, int index) {
        super(spec, layout, index);
    }

    @Override
    void allocate(int steps, int batch) {
        preActivations = grow(preActivations, steps * batch * hidden);
        dPre = grow(dPre, steps * batch * hidden);
        dHidden = grow(dHidden, batch * hidden);
    }

    @Override
    void forward(float[] params, float[] h0, float[] c0, int[] valid) {
        int bh = batch * hidden;
        packForwardWeights(params);
        System.arraycopy(h0, 0, outputs, 0, bh);
        projectInputs(params, preActivations, true);
        for (int t = 0; t < steps; t++) {
            int prev = t * bh;
            int next = prev + bh;
            Gemm.multiply(batch, outputs, prev, hidden, 1, recurrentWeightsT, preActivations, t * bh, hidden);
            for (int b = 0; b < batch; b++) {
                int q = next + b * hidden;
                if (t < valid[b]) {
                    Activations.tanh(preActivations, t * bh + b * hidden, outputs, q, hidden);
                } else {
                    System.arraycopy(outputs, prev + b * hidden, outputs, q, hidden);
                }
            }
        }
    }

    @Override
    void backward(float[] params, float[] grads, float[] dOutputs, float[] dInput, int[] valid) {
        int bh = batch * hidden;
        packBackwardWeights(params, dInput != null);
        Arrays.fill(dHidden, 0, bh, 0f);
        for (int t = steps - 1; t >= 0; t--) {
            for (int b = 0; b < batch; b++) {
                int row = b * hidden;
                int at = t * bh + row;
                int out = at + bh;
                if (t < valid[b]) {
                    for (int j = 0; j < hidden; j++) {
                        float y = outputs[out + j];
                        dPre[at + j] = (dOutputs[at + j] + dHidden[row + j]) * (1 - y * y);
                        dHidden[row + j] = 0f;
                    }
                } else {
                    Arrays.fill(dPre, at, at + hidden, 0f);
                    for (int j = 0; j < hidden; j++) {
                        dHidden[row + j] += dOutputs[at + j];
                    }
                }
            }
            Gemm.multiply(batch, dPre, t * bh, hidden, 1, recurrentWeights, dHidden, 0, hidden);
        }
        accumulateRecurrentWeightGradient(grads, dPre);
        backpropInputs(params, grads, dPre, dInput, true);
    }

    @Override
    void finalState(float[] h, float[] c) {
        int bh = batch * hidden;
        System.arraycopy(outputs, steps * bh, h, 0, bh);
    }
}
