package dev.seqtrain.nn;

import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

/**
 * The right-hand operand of {@link Gemm#multiply}, repacked into column panels one vector wide:
 * panel {@code jb} holds columns {@code jb·L .. jb·L+L-1} of every row, contiguously, row after row
 * (the last panel zero-padded). The multiply's inner loop then reads memory strictly in order.
 *
 * <p>Packing costs one pass over the matrix, repaid many times: a recurrent weight matrix is packed
 * once per forward (or backward) pass and reused at every time step. The buffer grows only, so a
 * layer that keeps its packed matrices allocates nothing per step. Why not read a row-major matrix in
 * place (its rows are panels already, a row length apart): with this project's power-of-two row
 * lengths the panel's rows all fall in a few L1 cache sets, and the kernel ran 1.5–2× slower.
 */
public final class PackedMatrix {
    private static final int L = Gemm.LANES;
    /**
     * {@link #packRows} copies this many rows into one panel before moving to the next. Row by row, each
     * row's vectors went to every panel in turn: dozens of write streams a panel apart, and a panel of
     * 1,600 or 3,200 rows is a multiple of 4 KB, so all of them fell in the same L1 set (the pass ran at
     * about 7 GB/s). 16 rows of a 512-wide matrix (32 KB) stay in L1 while each panel gets them.
     */
    private static final int ROW_BLOCK = 16;
    private float[] data = new float[0];
    private int rows;
    private int cols;
    /** The source as given to {@link #pack}: with native BLAS the matrix is used in place, not packed. */
    private float[] source;
    private int sourceOffset;
    private int sourceLd;
    private boolean sourceTransposed;
    private boolean packed;

    /**
     * Packs {@code B[rows×cols]}: when {@code transposed} is false {@code B[p][j] = src[off + p·ld + j]};
     * when true {@code B[p][j] = src[off + j·ld + p]} (B is the transpose of a row-major {@code [cols×rows]}
     * matrix, e.g. a weight matrix {@code W} used as {@code Wᵀ}).
     */
    public PackedMatrix pack(float[] src, int off, int rows, int cols, int ld, boolean transposed) {
        this.rows = rows;
        this.cols = cols;
        this.source = src;
        this.sourceOffset = off;
        this.sourceLd = ld;
        this.sourceTransposed = transposed;
        this.packed = false;   // packed when our kernel first reads it: native BLAS uses the source in place
        return this;
    }

    private void packNow() {
        int panels = (cols + L - 1) / L;
        int size = panels * rows * L;
        if (data.length < size) {
            data = new float[size];
        }
        float[] src = source;
        int off = sourceOffset;
        int ld = sourceLd;
        if (!sourceTransposed) {
            packRows(src, off, ld, panels);
        } else {
            for (int jb = 0; jb < panels; jb++) {
                int j0 = jb * L;
                int width = Math.min(L, cols - j0);
                int base = jb * rows * L;
                for (int p = 0; p < rows; p++) {
                    int at = base + p * L;
                    for (int c = 0; c < width; c++) {
                        data[at + c] = src[off + (j0 + c) * ld + p];
                    }
                    for (int c = width; c < L; c++) {
                        data[at + c] = 0f;
                    }
                }
            }
        }
        packed = true;
    }

    /**
     * The row-major case, row by row: each source row is read once, in order, and its vectors go to the
     * panels (a vector copy each: {@code System.arraycopy} of 8 or 16 floats cost a fifth of a large
     * weight-gradient product).
     */
    private void packRows(float[] src, int off, int ld, int panels) {
        int fullPanels = cols / L;
        int panelSize = rows * L;
        for (int p0 = 0; p0 < rows; p0 += ROW_BLOCK) {
            int p1 = Math.min(rows, p0 + ROW_BLOCK);
            for (int jb = 0; jb < fullPanels; jb++) {
                int from = off + jb * L;
                int to = jb * panelSize;
                for (int p = p0; p < p1; p++) {
                    FloatVector.fromArray(Gemm.SPECIES, src, from + p * ld).intoArray(data, to + p * L);
                }
            }
            if (fullPanels < panels) {
                int j0 = fullPanels * L;
                int width = cols - j0;
                for (int p = p0; p < p1; p++) {
                    int at = fullPanels * panelSize + p * L;
                    System.arraycopy(src, off + p * ld + j0, data, at, width);
                    Arrays.fill(data, at + width, at + L, 0f);
                }
            }
        }
    }

    /** Packs {@code B[p][j] = src[off + p·rowStride + j·colStride]} for {@code p < rows}, {@code j < cols}. */
    public PackedMatrix packStrided(float[] src, int off, int rows, int cols, int rowStride, int colStride) {
        if (colStride == 1) {
            return pack(src, off, rows, cols, rowStride, false);
        }
        if (rowStride == 1) {
            return pack(src, off, rows, cols, colStride, true);
        }
        throw new IllegalArgumentException("one of the strides must be 1");
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    float[] source() {
        return source;
    }

    int sourceOffset() {
        return sourceOffset;
    }

    int sourceLd() {
        return sourceLd;
    }

    boolean sourceTransposed() {
        return sourceTransposed;
    }

    int panels() {
        return (cols + L - 1) / L;
    }

    /** The panels, packed now if this is the first use since {@link #pack}. */
    float[] data() {
        if (!packed) {
            packNow();
        }
        return data;
    }
}
