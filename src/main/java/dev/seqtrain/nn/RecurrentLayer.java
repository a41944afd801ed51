package dev.seqtrain.nn;

import java.util.Arrays;

/**
 * One recurrent layer over a segment of {@code steps} time steps for a batch of {@code batch} sequences.
 *
 * <p>The fast-implementation structure is shared by all cells: the input projection of every step is
 * one big GEMM (or, for token input, a row lookup) done before the recurrence; each step then does
 * only the recurrent GEMM and fused elementwise gate math; in the backward pass each weight gradient
 * is one big GEMM over all steps.
 *
 * <p>Padding: step {@code t} of sequence {@code b} is real when {@code t < valid[b]}. At padded steps
 * the state is copied through unchanged and the gate gradients are zero, so the state after the
 * segment is the state after each sequence's last real step, and padding adds nothing to any gradient.
 *
 * <p>Workspaces are sized once for the largest batch shape seen and reused: the hot path allocates
 * nothing.
 */
abstract class RecurrentLayer {
    final int inputSize;
    final int hidden;
    final int gateRows;
    final boolean categorical;
    final ParameterLayout.View wIh;
    final ParameterLayout.View wHh;
    final ParameterLayout.View bIh;
    final ParameterLayout.View bHh;

    int steps;
    int batch;
    /** Weights packed for the GEMM kernel, refreshed from the parameters at every pass. */
    final PackedMatrix inputWeightsT = new PackedMatrix();
    final PackedMatrix recurrentWeightsT = new PackedMatrix();
    final PackedMatrix inputWeights = new PackedMatrix();
    final PackedMatrix recurrentWeights = new PackedMatrix();
    /** Packed activations and gate gradients (transposed) for the weight-gradient products. */
    private final PackedMatrix activations = new PackedMatrix();
    private final PackedMatrix gateGradientsT = new PackedMatrix();
    private float[] biasSum = new float[0];
    /** Token input only: {@code W_ihᵀ} as rows, one per token, for the lookup. */
    private float[] wIhT = new float[0];
    /** [(steps+1)×B×H]: block 0 is the initial state, block t+1 the output of step t. */
    float[] outputs = new float[0];
    /** Scratch for a transposed weight gradient. */
    private float[] gradT = new float[0];
    /** Token input: rows of the transposed input-weight gradient touched in this backward pass. */
    private boolean[] tokenTouched = new boolean[0];

    /** Where this layer reads its input: dense rows of {@code inputSize} floats, or token ids. */
    float[] inputDense;
    int inputDenseOffset;
    int[] inputTokens;
    int inputTokensOffset;

    RecurrentLayer(NetworkSpec spec, ParameterLayout layout, int index) {
        this.inputSize = spec.layerInputSize(index);
        this.hidden = spec.hidden();
        this.gateRows = spec.cell().gates * spec.hidden();
        this.categorical = index == 0 && spec.categoricalInput();
        this.wIh = layout.view("rnn.weight_ih_l" + index);
        this.wHh = layout.view("rnn.weight_hh_l" + index);
        this.bIh = layout.view("rnn.bias_ih_l" + index);
        this.bHh = layout.view("rnn.bias_hh_l" + index);
    }

    /** Sizes the workspaces for a segment shape; grows only. */
    void prepare(int steps, int batch) {
        this.steps = steps;
        this.batch = batch;
        if (categorical && wIhT.length != inputSize * gateRows) {
            wIhT = new float[inputSize * gateRows];
            gradT = new float[inputSize * gateRows];
            tokenTouched = new boolean[inputSize];
        }
        outputs = grow(outputs, (steps + 1) * batch * hidden);
        allocate(steps, batch);
    }

    /** Cell-specific workspaces. */
    abstract void allocate(int steps, int batch);

    abstract void forward(float[] params, float[] h0, float[] c0, int[] valid);

    /**
     * Backpropagates through the segment. {@code dOutputs} holds {@code [steps×B×H]} gradients of the
     * loss with respect to this layer's outputs (it is used as scratch). Accumulates weight gradients
     * into {@code grads}; writes the gradient with respect to the dense input into {@code dInput}
     * unless it is null. Gradients do not flow into the initial state (truncated BPTT).
     */
    abstract void backward(float[] params, float[] grads, float[] dOutputs, float[] dInput, int[] valid);

    /** Copies the state after the segment's last step into {@code h} and {@code c}. */
    abstract void finalState(float[] h, float[] c);

    void setDenseInput(float[] x, int offset) {
        inputDense = x;
        inputDenseOffset = offset;
        inputTokens = null;
    }

    void setTokenInput(int[] tokens, int offset) {
        inputTokens = tokens;
        inputTokensOffset = offset;
        inputDense = null;
    }

    /** Packs {@code W_ihᵀ} and {@code W_hhᵀ} (or the token lookup table) for the forward pass. */
    void packForwardWeights(float[] params) {
        if (categorical) {
            Gemm.transpose(gateRows, inputSize, params, wIh.offset(), wIhT, 0);
        } else {
            inputWeightsT.pack(params, wIh.offset(), inputSize, gateRows, inputSize, true);
        }
        recurrentWeightsT.pack(params, wHh.offset(), hidden, gateRows, hidden, true);
    }

    /** Packs {@code W_hh} (and {@code W_ih} when the input gradient is needed) for the backward pass. */
    void packBackwardWeights(float[] params, boolean inputGradient) {
        recurrentWeights.pack(params, wHh.offset(), gateRows, hidden, hidden, false);
        if (inputGradient && !categorical) {
            inputWeights.pack(params, wIh.offset(), gateRows, inputSize, inputSize, false);
        }
    }

    /**
     * {@code z[(steps·B)×G] = X·W_ihᵀ + b_ih (+ b_hh when {@code addHiddenBias})}: one GEMM over all
     * steps, or a row lookup for token input.
     */
    void projectInputs(float[] params, float[] z, boolean addHiddenBias) {
        int rows = steps * batch;
        int g = gateRows;
        if (biasSum.length != g) {
            biasSum = new float[g];
        }
        System.arraycopy(params, bIh.offset(), biasSum, 0, g);
        if (addHiddenBias) {
            Gemm.addColumnSums(1, g, params, bHh.offset(), g, biasSum, 0);
        }
        if (categorical) {
            // The one-hot product is a row lookup: z = bias + (W_ihᵀ)[token].
            for (int r = 0; r < rows; r++) {
                int token = inputTokens[inputTokensOffset + r];
                Gemm.sum(g, biasSum, 0, wIhT, token * g, z, r * g);
            }
        } else {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(biasSum, 0, z, r * g, g);
            }
            Gemm.multiply(rows, inputDense, inputDenseOffset, inputSize, 1, inputWeightsT, z, 0, g);
        }
    }

    /**
     * Given {@code dZx}, the gradient at the input projection for all steps, accumulates
     * {@code dW_ih}, {@code db_ih} (and {@code db_hh} when {@code hiddenBiasShared}) and writes {@code dInput}.
     */
    void backpropInputs(float[] params, float[] grads, float[] dZx, float[] dInput, boolean hiddenBiasShared) {
        int rows = steps * batch;
        int g = gateRows;
        float[] bHhGrads = hiddenBiasShared ? grads : null;   // b_hh gets b_ih's gradient (LSTM, RNN); a GRU sums its own
        if (categorical) {
            // One pass over dZx for both bias gradients and the token rows of dW_ihᵀ (each sum in row order).
            for (int r = 0; r < rows; r++) {
                int token = inputTokens[inputTokensOffset + r];
                if (!tokenTouched[token]) {
                    tokenTouched[token] = true;
                    Arrays.fill(gradT, token * g, token * g + g, 0f);
                }
                Gemm.addRowInto(g, dZx, r * g, grads, bIh.offset(), bHhGrads, bHh.offset(), gradT, token * g);
            }
            for (int token = 0; token < inputSize; token++) {
                if (tokenTouched[token]) {
                    tokenTouched[token] = false;
                    int src = token * g;
                    for (int j = 0; j < g; j++) {
                        grads[wIh.offset() + j * inputSize + token] += gradT[src + j];
                    }
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                Gemm.addRowInto(g, dZx, r * g, grads, bIh.offset(), bHhGrads, bHh.offset(), null, 0);
            }
            // dW_ih [G×I] += dZxᵀ · X, one product over all steps.
            activations.pack(inputDense, inputDenseOffset, rows, inputSize, inputSize, false);
            if (gateGradientsT.source() != dZx) {
                // LSTM and RNN pass the gradient that accumulateRecurrentWeightGradient packed already.
                gateGradientsT.pack(dZx, 0, rows, g, g, false);
            }
            Gemm.multiplyPackedA(gateGradientsT, activations, grads, wIh.offset(), inputSize);
            if (dInput != null) {
                Arrays.fill(dInput, 0, rows * inputSize, 0f);
                Gemm.multiply(rows, dZx, 0, g, 1, inputWeights, dInput, 0, inputSize);
            }
        }
    }

    /** {@code dW_hh [G×H] += dZhᵀ · H_prev} over all steps, {@code H_prev} being output blocks 0..steps-1. */
    void accumulateRecurrentWeightGradient(float[] grads, float[] dZh) {
        int rows = steps * batch;
        activations.pack(outputs, 0, rows, hidden, hidden, false);
        gateGradientsT.pack(dZh, 0, rows, gateRows, gateRows, false);
        Gemm.multiplyPackedA(gateGradientsT, activations, grads, wHh.offset(), hidden);
    }

    static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }
}
