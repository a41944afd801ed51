package dev.seqtrain.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * GRU layer with PyTorch's formulation and gate order {@code r, z, n}:
 * <pre>
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 *   h' = (1 − z) ⊙ n + z ⊙ h
 * </pre>
 * Because {@code b_hn} sits inside the reset product, the input and hidden projections are kept apart.
 */
final class GruLayer extends RecurrentLayer {
    private static final VectorSpecies<Float> S = Activations.SPECIES;
    private static final int L = Activations.LANES;

    /** [steps×B×3H]: input projection, then (after each step) the activated r, z, n. */
    private float[] inputGates = new float[0];
    /** [steps×B×3H]: hidden projection W_hh h + b_hh (its n block is needed by the backward pass). */
    private float[] hiddenGates = new float[0];
    private float[] dInputGates = new float[0];
    private float[] dHiddenGates = new float[0];
    private float[] dHidden = new float[0];

    GruLayer(NetworkSpec spec, ParameterLayout layout, int index) {
        super(spec, layout, index);
    }

    @Override
    void allocate(int steps, int batch) {
        int n = steps * batch * gateRows;
        inputGates = grow(inputGates, n);
        hiddenGates = grow(hiddenGates, n);
        dInputGates = grow(dInputGates, n);
        dHiddenGates = grow(dHiddenGates, n);
        dHidden = grow(dHidden, batch * hidden);
    }

    @Override
    void forward(float[] params, float[] h0, float[] c0, int[] valid) {
        int bh = batch * hidden;
        int g = gateRows;
        packForwardWeights(params);
        System.arraycopy(h0, 0, outputs, 0, bh);
        projectInputs(params, inputGates, false);
        for (int t = 0; t < steps; t++) {
            int prev = t * bh;
            int next = prev + bh;
            int zs = t * batch * g;
            for (int b = 0; b < batch; b++) {
                System.arraycopy(params, bHh.offset(), hiddenGates, zs + b * g, g);
            }
            Gemm.multiply(batch, outputs, prev, hidden, 1, recurrentWeightsT, hiddenGates, zs, g);
            for (int b = 0; b < batch; b++) {
                int p = prev + b * hidden;
                int q = next + b * hidden;
                if (t < valid[b]) {
                    cellStep(zs + b * g, p, q);
                } else {
                    System.arraycopy(outputs, p, outputs, q, hidden);
                }
            }
        }
    }

    /**
     * One sample's step: r and z, then n, then h'. One pass per activation (see {@link Activations}:
     * short loops keep them inlined); the pre-activations are summed in place first, in the order the
     * equations give, so the bits are those of a single fused loop.
     */
    private void cellStep(int z, int prev, int next) {
        int h = hidden;
        float[] x = inputGates;
        float[] hh = hiddenGates;
        int j = 0;
        for (; j + L <= 2 * h; j += L) {
            FloatVector.fromArray(S, x, z + j).add(FloatVector.fromArray(S, hh, z + j)).intoArray(x, z + j);
        }
        for (; j < 2 * h; j++) {
            x[z + j] = x[z + j] + hh[z + j];
        }
        Activations.sigmoid(x, z, x, z, 2 * h);                  // r, z
        int n = z + 2 * h;
        j = 0;
        for (; j + L <= h; j += L) {
            FloatVector.fromArray(S, x, n + j).add(FloatVector.fromArray(S, x, z + j).mul(FloatVector.fromArray(S, hh, n + j)))
                    .intoArray(x, n + j);
        }
        for (; j < h; j++) {
            x[n + j] = x[n + j] + x[z + j] * hh[n + j];
        }
        Activations.tanh(x, n, x, n, h);                         // n
        j = 0;
        for (; j + L <= h; j += L) {
            FloatVector nv = FloatVector.fromArray(S, x, n + j);
            FloatVector u = FloatVector.fromArray(S, x, z + h + j);
            nv.add(u.mul(FloatVector.fromArray(S, outputs, prev + j).sub(nv))).intoArray(outputs, next + j);
        }
        for (; j < h; j++) {
            outputs[next + j] = x[n + j] + x[z + h + j] * (outputs[prev + j] - x[n + j]);
        }
    }

    @Override
    void backward(float[] params, float[] grads, float[] dOutputs, float[] dInput, int[] valid) {
        int bh = batch * hidden;
        int g = gateRows;
        packBackwardWeights(params, dInput != null);
        Arrays.fill(dHidden, 0, bh, 0f);
        for (int t = steps - 1; t >= 0; t--) {
            for (int b = 0; b < batch; b++) {
                int row = b * hidden;
                int z = (t * batch + b) * g;
                int dOut = t * bh + row;
                if (t < valid[b]) {
                    cellStepBackward(dOutputs, dOut, z, t * bh + row, row);
                } else {
                    Arrays.fill(dInputGates, z, z + g, 0f);
                    Arrays.fill(dHiddenGates, z, z + g, 0f);
                    for (int j = 0; j < hidden; j++) {
                        dHidden[row + j] += dOutputs[dOut + j];
                    }
                }
            }
            Gemm.multiply(batch, dHiddenGates, t * batch * g, g, 1, recurrentWeights, dHidden, 0, hidden);
        }
        accumulateRecurrentWeightGradient(grads, dHiddenGates);
        Gemm.addColumnSums(steps * batch, g, dHiddenGates, 0, g, grads, bHh.offset());
        backpropInputs(params, grads, dInputGates, dInput, false);
    }

    /**
     * Leaves dHidden = dh ⊙ z (the direct path); the GEMM adds the path through the gates. The vector
     * loop and the scalar tail do the same operations in the same order, so a lane's bits do not depend
     * on the vector width.
     */
    private void cellStepBackward(float[] dOutputs, int dOut, int z, int prev, int row) {
        int h = hidden;
        float[] x = inputGates;
        float[] hh = hiddenGates;
        int j = 0;
        for (; j + L <= h; j += L) {
            FloatVector dh = FloatVector.fromArray(S, dOutputs, dOut + j).add(FloatVector.fromArray(S, dHidden, row + j));
            FloatVector r = FloatVector.fromArray(S, x, z + j);
            FloatVector u = FloatVector.fromArray(S, x, z + h + j);
            FloatVector n = FloatVector.fromArray(S, x, z + 2 * h + j);
            FloatVector hp = FloatVector.fromArray(S, outputs, prev + j);
            FloatVector dn = dh.mul(u.neg().add(1f)).mul(n.mul(n).neg().add(1f));
            FloatVector du = dh.mul(hp.sub(n)).mul(u).mul(u.neg().add(1f));
            FloatVector dr = dn.mul(FloatVector.fromArray(S, hh, z + 2 * h + j)).mul(r).mul(r.neg().add(1f));
            dr.intoArray(dInputGates, z + j);
            du.intoArray(dInputGates, z + h + j);
            dn.intoArray(dInputGates, z + 2 * h + j);
            dr.intoArray(dHiddenGates, z + j);
            du.intoArray(dHiddenGates, z + h + j);
            dn.mul(r).intoArray(dHiddenGates, z + 2 * h + j);
            dh.mul(u).intoArray(dHidden, row + j);
        }
        for (; j < h; j++) {
            float dh = dOutputs[dOut + j] + dHidden[row + j];
            float r = x[z + j];
            float u = x[z + h + j];
            float n = x[z + 2 * h + j];
            float hp = outputs[prev + j];
            float dn = dh * (1 - u) * (1 - n * n);
            float du = dh * (hp - n) * u * (1 - u);
            float dr = dn * hh[z + 2 * h + j] * r * (1 - r);
            dInputGates[z + j] = dr;
            dInputGates[z + h + j] = du;
            dInputGates[z + 2 * h + j] = dn;
            dHiddenGates[z + j] = dr;
            dHiddenGates[z + h + j] = du;
            dHiddenGates[z + 2 * h + j] = dn * r;
            dHidden[row + j] = dh * u;
        }
    }

    @Override
    void finalState(float[] h, float[] c) {
        int bh = batch * hidden;
        System.arraycopy(outputs, steps * bh, h, 0, bh);
    }
}
