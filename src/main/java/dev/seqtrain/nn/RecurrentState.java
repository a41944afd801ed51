package dev.seqtrain.nn;

/**
 * Hidden (and, for LSTM, cell) state of every layer for a batch: what truncated BPTT carries from one
 * segment to the next. {@code h[l]} and {@code c[l]} are {@code [B×H]} row-major.
 */
public final class RecurrentState {
    public final float[][] h;
    public final float[][] c;

    public RecurrentState(int layers, int batch, int hidden) {
        h = new float[layers][batch * hidden];
        c = new float[layers][batch * hidden];
    }

    public void reset() {
        for (float[] a : h) {
            java.util.Arrays.fill(a, 0f);
        }
        for (float[] a : c) {
            java.util.Arrays.fill(a, 0f);
        }
    }

    public int batch(int hidden) {
        return h[0].length / hidden;
    }
}
