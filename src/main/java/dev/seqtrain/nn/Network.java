package dev.seqtrain.nn;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A stack of recurrent layers and a dense head, run over one segment {@code [t0, t1)} of a
 * {@link MiniBatch}. A whole sequence is the segment {@code [0, T)}; truncated BPTT calls it once per
 * segment, carrying the {@link RecurrentState} across and stopping gradients at the borders.
 *
 * <p>Parameters and gradients are flat arrays laid out by {@link ParameterLayout}. The object holds
 * only workspaces (sized for the largest segment seen), so one instance per thread is enough, and
 * it may be reused for any parameter values.
 */
public final class Network {
    private final NetworkSpec spec;
    private final ParameterLayout layout;
    private final RecurrentLayer[] layers;
    private final Loss loss;
    private final ParameterLayout.View fcWeight;
    private final ParameterLayout.View fcBias;

    private int steps;
    private int batch;
    private int[] valid = new int[0];
    /** Output positions of the segment as rows {@code t·B + b} of the top layer's outputs. */
    private int[] positionRows = new int[0];
    private int positions;
    /** Positions are exactly all rows in order: the head reads the top layer's outputs in place. */
    private boolean denseRows;
    private final PackedMatrix fcWeightT = new PackedMatrix();
    private final PackedMatrix fcWeightPacked = new PackedMatrix();
    private final PackedMatrix headInputs = new PackedMatrix();
    private final PackedMatrix headGradientsT = new PackedMatrix();
    private float[] gathered = new float[0];
    private float[] head = new float[0];
    private float[] dGathered = new float[0];
    private float[] dUpper = new float[0];
    private float[] dLower = new float[0];
    /** Per layer boundary l → l+1: inverted-dropout mask and the dropped activations fed upward. */
    private float[][] dropMasks;
    private float[][] droppedInputs;
    private boolean dropoutActive;

    public Network(NetworkSpec spec) {
        this.spec = spec;
        this.layout = new ParameterLayout(spec);
        this.layers = new RecurrentLayer[spec.layers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = switch (spec.cell()) {
                case LSTM -> new LstmLayer(spec, layout, l);
                case GRU -> new GruLayer(spec, layout, l);
                case RNN -> new RnnLayer(spec, layout, l);
            };
        }
        this.loss = Loss.of(spec.loss());
        this.fcWeight = layout.view("fc.weight");
        this.fcBias = layout.view("fc.bias");
        this.dropMasks = new float[Math.max(0, layers.length - 1)][0];
        this.droppedInputs = new float[Math.max(0, layers.length - 1)][0];
    }

    public NetworkSpec spec() {
        return spec;
    }

    public ParameterLayout layout() {
        return layout;
    }

    /**
     * Forward and backward over the segment; adds the gradient of the <em>mean</em> loss over the
     * segment's output positions to {@code grads} and moves {@code state} to the segment's end.
     *
     * @param dropoutRng source of dropout masks, or null to train without dropout
     */
    public LossSum forwardBackward(float[] params, float[] grads, MiniBatch mb, int t0, int t1,
                                   RecurrentState state, SplittableRandom dropoutRng) {
        forward(params, mb, t0, t1, state, dropoutRng);
        LossSum result = applyLoss(mb, t0, true);
        if (positions > 0) {
            backward(params, grads, 1f / positions);
        }
        return result;
    }

    /** Loss over the segment without gradients (no dropout); moves {@code state} to the segment's end. */
    public LossSum evaluate(float[] params, MiniBatch mb, int t0, int t1, RecurrentState state) {
        forward(params, mb, t0, t1, state, null);
        return applyLoss(mb, t0, false);
    }

    /**
     * Runs the segment and returns the predictions (probabilities or values) at its output positions,
     * {@code [positions × O]}; {@link #positionStep} and {@link #positionSequence} say where each came from.
     */
    public float[] predict(float[] params, MiniBatch mb, int t0, int t1, RecurrentState state) {
        forward(params, mb, t0, t1, state, null);
        int o = spec.outputSize();
        float[] out = Arrays.copyOf(head, positions * o);
        for (int p = 0; p < positions; p++) {
            loss.toPrediction(out, p * o, o);
        }
        return out;
    }

    /** Like {@link #predict} but returns the raw head outputs (logits), before softmax or sigmoid. */
    public float[] predictRaw(float[] params, MiniBatch mb, int t0, int t1, RecurrentState state) {
        forward(params, mb, t0, t1, state, null);
        return Arrays.copyOf(head, positions * spec.outputSize());
    }

    public int positions() {
        return positions;
    }

    /**
     * Outputs of the last run ({@link #predict} or {@link #predictRaw}) by sequence:
     * {@code [sequence][k][output]}, k in step order: every real step for per-step tasks, one output for
     * per-sequence tasks. Positions are time-major, so each sequence's come in step order.
     */
    public float[][][] bySequence(float[] outputs) {
        int o = spec.outputSize();
        int[] count = new int[batch];
        for (int p = 0; p < positions; p++) {
            count[positionSequence(p)]++;
        }
        float[][][] out = new float[batch][][];
        for (int s = 0; s < batch; s++) {
            out[s] = new float[count[s]][];
        }
        int[] next = new int[batch];
        for (int p = 0; p < positions; p++) {
            int s = positionSequence(p);
            out[s][next[s]++] = Arrays.copyOfRange(outputs, p * o, p * o + o);
        }
        return out;
    }

    /** Absolute step (within the batch) of output position {@code p} of the last segment run. */
    public int positionStep(int t0, int p) {
        return t0 + positionRows[p] / batch;
    }

    public int positionSequence(int p) {
        return positionRows[p] % batch;
    }

    private void forward(float[] params, MiniBatch mb, int t0, int t1, RecurrentState state, SplittableRandom rng) {
        if (t0 < 0 || t1 > mb.steps() || t0 >= t1) {
            throw new IllegalArgumentException("segment [" + t0 + ", " + t1 + ") outside 0.." + mb.steps());
        }
        if (mb.inputSize() != spec.inputSize() || mb.categorical() != spec.categoricalInput()) {
            throw new IllegalArgumentException("batch has " + (mb.categorical() ? "token" : "dense") + " input of size "
                    + mb.inputSize() + ", network expects " + (spec.categoricalInput() ? "token" : "dense")
                    + " input of size " + spec.inputSize());
        }
        prepare(t1 - t0, mb.size());
        for (int b = 0; b < batch; b++) {
            valid[b] = Math.max(0, Math.min(steps, mb.lengths()[b] - t0));
        }
        findPositions(mb, t0);
        dropoutActive = rng != null && spec.dropout() > 0f;
        int h = spec.hidden();
        for (int l = 0; l < layers.length; l++) {
            RecurrentLayer layer = layers[l];
            if (l == 0) {
                if (mb.categorical()) {
                    layer.setTokenInput(mb.tokens(), t0 * batch);
                } else {
                    layer.setDenseInput(mb.features(), t0 * batch * spec.inputSize());
                }
            } else {
                RecurrentLayer below = layers[l - 1];
                if (dropoutActive) {
                    applyDropout(l - 1, below.outputs, batch * h, rng);
                    layer.setDenseInput(droppedInputs[l - 1], 0);
                } else {
                    layer.setDenseInput(below.outputs, batch * h);
                }
            }
            layer.forward(params, state.h[l], state.c[l], valid);
            layer.finalState(state.h[l], state.c[l]);
        }
        headForward(params);
    }

    private void prepare(int steps, int batch) {
        this.steps = steps;
        this.batch = batch;
        int rows = steps * batch;
        int h = spec.hidden();
        int o = spec.outputSize();
        for (RecurrentLayer layer : layers) {
            layer.prepare(steps, batch);
        }
        if (valid.length < batch) {
            valid = new int[batch];
        }
        if (positionRows.length < rows) {
            positionRows = new int[rows];
        }
        gathered = RecurrentLayer.grow(gathered, rows * h);
        dGathered = RecurrentLayer.grow(dGathered, rows * h);
        head = RecurrentLayer.grow(head, rows * o);
        dUpper = RecurrentLayer.grow(dUpper, rows * h);
        dLower = RecurrentLayer.grow(dLower, rows * h);
        for (int l = 0; l < dropMasks.length; l++) {
            dropMasks[l] = RecurrentLayer.grow(dropMasks[l], rows * h);
            droppedInputs[l] = RecurrentLayer.grow(droppedInputs[l], rows * h);
        }
    }

    private void findPositions(MiniBatch mb, int t0) {
        positions = 0;
        if (spec.task() == Task.MANY_TO_MANY) {
            for (int t = 0; t < steps; t++) {
                for (int b = 0; b < batch; b++) {
                    if (t < valid[b]) {
                        positionRows[positions++] = t * batch + b;
                    }
                }
            }
            denseRows = positions == steps * batch;
        } else {
            for (int b = 0; b < batch; b++) {
                int last = mb.lengths()[b] - 1 - t0;
                if (last >= 0 && last < steps) {
                    positionRows[positions++] = last * batch + b;
                }
            }
            denseRows = false;
        }
    }

    private void applyDropout(int boundary, float[] src, int srcOff, SplittableRandom rng) {
        int n = steps * batch * spec.hidden();
        float keep = 1f - spec.dropout();
        float scale = 1f / keep;
        float[] mask = dropMasks[boundary];
        float[] dst = droppedInputs[boundary];
        for (int i = 0; i < n; i++) {
            mask[i] = rng.nextFloat() < keep ? scale : 0f;
            dst[i] = src[srcOff + i] * mask[i];
        }
    }

    private float[] topOutputs() {
        return layers[layers.length - 1].outputs;
    }

    private void headForward(float[] params) {
        int h = spec.hidden();
        int o = spec.outputSize();
        float[] top = topOutputs();
        float[] in;
        int inOff;
        if (denseRows) {
            in = top;
            inOff = batch * h;
        } else {
            for (int p = 0; p < positions; p++) {
                System.arraycopy(top, (positionRows[p] + batch) * h, gathered, p * h, h);
            }
            in = gathered;
            inOff = 0;
        }
        fcWeightT.pack(params, fcWeight.offset(), h, o, h, true);
        for (int p = 0; p < positions; p++) {
            System.arraycopy(params, fcBias.offset(), head, p * o, o);
        }
        Gemm.multiply(positions, in, inOff, h, 1, fcWeightT, head, 0, o);
    }

    private LossSum applyLoss(MiniBatch mb, int t0, boolean gradient) {
        int o = spec.outputSize();
        boolean classes = spec.loss().classTargets();
        if (classes ? mb.classTargets() == null : mb.valueTargets() == null) {
            throw new IllegalArgumentException("batch has no " + (classes ? "class" : "value") + " targets");
        }
        double sum = 0;
        long correct = 0;
        for (int p = 0; p < positions; p++) {
            int row = positionRows[p];
            int t = t0 + row / batch;
            int b = row % batch;
            int target = spec.task() == Task.MANY_TO_MANY ? t * batch + b : b;
            int classTarget = classes ? mb.classTargets()[target] : -1;
            if (classes && argMax(head, p * o, o) == classTarget) {
                correct++;
            }
            sum += loss.lossAt(head, p * o, o, classTarget, mb.valueTargets(), target * o, gradient);
        }
        return new LossSum(sum, positions, correct);
    }

    private static int argMax(float[] x, int off, int n) {
        int best = 0;
        float bestValue = x[off];
        for (int j = 1; j < n; j++) {
            float v = x[off + j];
            if (v > bestValue) {
                bestValue = v;
                best = j;
            }
        }
        return best;
    }

    /** {@code head} holds d(Σ loss)/d(outputs); scaled here by {@code scale} (1/positions). */
    private void backward(float[] params, float[] grads, float scale) {
        int h = spec.hidden();
        int o = spec.outputSize();
        int rows = steps * batch;
        for (int i = 0; i < positions * o; i++) {
            head[i] *= scale;
        }
        float[] top = topOutputs();
        // Head weights: dW_fc [O×H] += dHeadᵀ · inputs; db_fc += column sums.
        Gemm.addColumnSums(positions, o, head, 0, o, grads, fcBias.offset());
        Arrays.fill(dUpper, 0, rows * h, 0f);
        fcWeightPacked.pack(params, fcWeight.offset(), o, h, h, false);
        headGradientsT.pack(head, 0, positions, o, o, false);
        if (denseRows) {
            headInputs.pack(top, batch * h, positions, h, h, false);
            Gemm.multiplyPackedA(headGradientsT, headInputs, grads, fcWeight.offset(), h);
            Gemm.multiply(positions, head, 0, o, 1, fcWeightPacked, dUpper, 0, h);
        } else {
            headInputs.pack(gathered, 0, positions, h, h, false);
            Gemm.multiplyPackedA(headGradientsT, headInputs, grads, fcWeight.offset(), h);
            Arrays.fill(dGathered, 0, positions * h, 0f);
            Gemm.multiply(positions, head, 0, o, 1, fcWeightPacked, dGathered, 0, h);
            for (int p = 0; p < positions; p++) {
                System.arraycopy(dGathered, p * h, dUpper, positionRows[p] * h, h);
            }
        }
        for (int l = layers.length - 1; l >= 0; l--) {
            float[] dInput = l > 0 ? dLower : null;
            layers[l].backward(params, grads, dUpper, dInput, valid);
            if (l > 0) {
                if (dropoutActive) {
                    float[] mask = dropMasks[l - 1];
                    for (int i = 0; i < rows * h; i++) {
                        dLower[i] *= mask[i];
                    }
                }
                float[] swap = dUpper;
                dUpper = dLower;
                dLower = swap;
            }
        }
    }
}
