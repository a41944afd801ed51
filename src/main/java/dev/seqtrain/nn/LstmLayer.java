package dev.seqtrain.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * LSTM layer with PyTorch's equations and gate order {@code i, f, g, o}:
 * <pre>
 *   [i f g o] = [σ σ tanh σ](W_ih x + b_ih + W_hh h + b_hh)
 *   c' = f ⊙ c + i ⊙ g        h' = o ⊙ tanh(c')
 * </pre>
 */
final class LstmLayer extends RecurrentLayer {
    private static final VectorSpecies<Float> S = Activations.SPECIES;
    private static final int L = Activations.LANES;

    /** [steps×B×4H]: pre-activations, then (after each step) the activated gates i, f, g, o. */
    private float[] gates = new float[0];
    /** [(steps+1)×B×H]: block 0 is the initial cell state. */
    private float[] cells = new float[0];
    /** [steps×B×H]: tanh of the new cell state. */
    private float[] cellTanh = new float[0];
    /** [steps×B×4H]: gradients at the gate pre-activations. */
    private float[] dGates = new float[0];
    private float[] dHidden = new float[0];
    private float[] dCell = new float[0];

    LstmLayer(NetworkSpec spec, ParameterLayout layout, int index) {
        super(spec, layout, index);
    }

    @Override
    void allocate(int steps, int batch) {
        int n = steps * batch;
        gates = grow(gates, n * gateRows);
        dGates = grow(dGates, n * gateRows);
        cells = grow(cells, (n + batch) * hidden);
        cellTanh = grow(cellTanh, n * hidden);
        dHidden = grow(dHidden, batch * hidden);
        dCell = grow(dCell, batch * hidden);
    }

    @Override
    void forward(float[] params, float[] h0, float[] c0, int[] valid) {
        int bh = batch * hidden;
        int g = gateRows;
        packForwardWeights(params);
        System.arraycopy(h0, 0, outputs, 0, bh);
        System.arraycopy(c0, 0, cells, 0, bh);
        projectInputs(params, gates, true);
        for (int t = 0; t < steps; t++) {
            int prev = t * bh;
            int next = prev + bh;
            Gemm.multiply(batch, outputs, prev, hidden, 1, recurrentWeightsT, gates, t * batch * g, g);
            for (int b = 0; b < batch; b++) {
                int z = (t * batch + b) * g;
                int p = prev + b * hidden;
                int q = next + b * hidden;
                if (t < valid[b]) {
                    cellStep(z, p, q, t * bh + b * hidden);
                } else {
                    System.arraycopy(outputs, p, outputs, q, hidden);
                    System.arraycopy(cells, p, cells, q, hidden);
                }
            }
        }
    }

    /**
     * Activates one sample's gates at {@code z} and writes c', tanh(c'), h'. One pass per activation
     * (see {@link Activations}: short loops keep them inlined), then the cell update.
     */
    private void cellStep(int z, int prev, int next, int tc) {
        int h = hidden;
        float[] a = gates;
        Activations.sigmoid(a, z, a, z, 2 * h);                  // i, f
        Activations.tanh(a, z + 2 * h, a, z + 2 * h, h);         // g
        Activations.sigmoid(a, z + 3 * h, a, z + 3 * h, h);      // o
        int j = 0;
        for (; j + L <= h; j += L) {
            FloatVector i = FloatVector.fromArray(S, a, z + j);
            FloatVector f = FloatVector.fromArray(S, a, z + h + j);
            FloatVector gg = FloatVector.fromArray(S, a, z + 2 * h + j);
            f.mul(FloatVector.fromArray(S, cells, prev + j)).add(i.mul(gg)).intoArray(cells, next + j);
        }
        for (; j < h; j++) {
            cells[next + j] = a[z + h + j] * cells[prev + j] + a[z + j] * a[z + 2 * h + j];
        }
        Activations.tanh(cells, next, cellTanh, tc, h);
        j = 0;
        for (; j + L <= h; j += L) {
            FloatVector.fromArray(S, a, z + 3 * h + j).mul(FloatVector.fromArray(S, cellTanh, tc + j)).intoArray(outputs, next + j);
        }
        for (; j < h; j++) {
            outputs[next + j] = a[z + 3 * h + j] * cellTanh[tc + j];
        }
    }

    @Override
    void backward(float[] params, float[] grads, float[] dOutputs, float[] dInput, int[] valid) {
        int bh = batch * hidden;
        int g = gateRows;
        packBackwardWeights(params, dInput != null);
        Arrays.fill(dHidden, 0, bh, 0f);
        Arrays.fill(dCell, 0, bh, 0f);
        for (int t = steps - 1; t >= 0; t--) {
            for (int b = 0; b < batch; b++) {
                int row = b * hidden;
                int dz = (t * batch + b) * g;
                int dOut = t * bh + row;
                if (t < valid[b]) {
                    cellStepBackward(dOutputs, dOut, dz, t * bh + row, row);
                } else {
                    // Padding: state passed through unchanged, so its gradient passes straight back.
                    Arrays.fill(dGates, dz, dz + g, 0f);
                    for (int j = 0; j < hidden; j++) {
                        dHidden[row + j] += dOutputs[dOut + j];
                    }
                }
            }
            // dh_{t-1} += dZ_t · W_hh
            Gemm.multiply(batch, dGates, t * batch * g, g, 1, recurrentWeights, dHidden, 0, hidden);
        }
        accumulateRecurrentWeightGradient(grads, dGates);
        backpropInputs(params, grads, dGates, dInput, true);
    }

    /**
     * One sample's step backward. Reads dh (= dOutputs + carried dHidden) and carried dCell; writes the
     * gate gradients, leaves dCell = dc_{t-1} and dHidden = 0 (the GEMM adds the recurrent part).
     */
    private void cellStepBackward(float[] dOutputs, int dOut, int dz, int tc, int row) {
        int h = hidden;
        float[] a = gates;
        int z = dz;
        int prevCell = tc;           // cells block t   = c_{t-1}
        int j = 0;
        for (; j + L <= h; j += L) {
            FloatVector dh = FloatVector.fromArray(S, dOutputs, dOut + j).add(FloatVector.fromArray(S, dHidden, row + j));
            FloatVector i = FloatVector.fromArray(S, a, z + j);
            FloatVector f = FloatVector.fromArray(S, a, z + h + j);
            FloatVector gg = FloatVector.fromArray(S, a, z + 2 * h + j);
            FloatVector o = FloatVector.fromArray(S, a, z + 3 * h + j);
            FloatVector ct = FloatVector.fromArray(S, cellTanh, tc + j);
            FloatVector cPrev = FloatVector.fromArray(S, cells, prevCell + j);
            FloatVector dc = FloatVector.fromArray(S, dCell, row + j)
                    .add(dh.mul(o).mul(ct.mul(ct).neg().add(1f)));
            FloatVector dO = dh.mul(ct).mul(o).mul(o.neg().add(1f));
            FloatVector dI = dc.mul(gg).mul(i).mul(i.neg().add(1f));
            FloatVector dF = dc.mul(cPrev).mul(f).mul(f.neg().add(1f));
            FloatVector dG = dc.mul(i).mul(gg.mul(gg).neg().add(1f));
            dI.intoArray(dGates, dz + j);
            dF.intoArray(dGates, dz + h + j);
            dG.intoArray(dGates, dz + 2 * h + j);
            dO.intoArray(dGates, dz + 3 * h + j);
            dc.mul(f).intoArray(dCell, row + j);
            FloatVector.zero(S).intoArray(dHidden, row + j);
        }
        for (; j < h; j++) {
            float dh = dOutputs[dOut + j] + dHidden[row + j];
            float i = a[z + j];
            float f = a[z + h + j];
            float gg = a[z + 2 * h + j];
            float o = a[z + 3 * h + j];
            float ct = cellTanh[tc + j];
            float dc = dCell[row + j] + dh * o * (1 - ct * ct);
            dGates[dz + j] = dc * gg * i * (1 - i);
            dGates[dz + h + j] = dc * cells[prevCell + j] * f * (1 - f);
            dGates[dz + 2 * h + j] = dc * i * (1 - gg * gg);
            dGates[dz + 3 * h + j] = dh * ct * o * (1 - o);
            dCell[row + j] = dc * f;
            dHidden[row + j] = 0f;
        }
    }

    @Override
    void finalState(float[] h, float[] c) {
        int bh = batch * hidden;
        System.arraycopy(outputs, steps * bh, h, 0, bh);
        System.arraycopy(cells, steps * bh, c, 0, bh);
    }
}
