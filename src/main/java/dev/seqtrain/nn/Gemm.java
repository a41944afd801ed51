package dev.seqtrain.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-threaded float32 matrix multiply, {@code C += op(A) · B}, written with the Java Vector API.
 *
 * <p>Why our own kernel: on the LSTM-sized matrices this project multiplies (a few dozen rows
 * times a few hundred columns), a register-blocked Vector API kernel measured 3–5× faster than the
 * BLAS Spark ships ({@code dev.ludovic.netlib}) and on par with native OpenBLAS, without needing a
 * native library on the executors (see README, "Choosing the GEMM").
 *
 * <p>B and C are always row-major with an explicit leading dimension; A is addressed through a row
 * stride and a column stride, so one kernel serves both {@code A · B} (A row-major: strides
 * {@code (lda, 1)}) and {@code Aᵀ · B} (strides {@code (1, lda)}), which is what the weight
 * gradients need. Columns of C are processed in panels so that the slice of B being reused stays
 * in the L2 cache even when B is several megabytes (a 512-unit LSTM's recurrent weights).
 */
public final class Gemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Columns per register block: three vectors. */
    private static final int BLOCK_COLS = 3 * LANES;
    /** Rows per register block. Four rows × three vectors = 12 accumulators, well inside 32 registers. */
    private static final int BLOCK_ROWS = 4;
    /** Columns of C (and B) per cache panel. */
    private static final int PANEL_COLS = 4 * BLOCK_COLS;

    private Gemm() {
    }

    /** {@code C[m×n] += A[m×k] · B[k×n]}, all row-major. */
    public static void mulAdd(int m, int n, int k, float[] a, int aOff, int lda,
                              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        general(m, n, k, a, aOff, lda, 1, b, bOff, ldb, c, cOff, ldc);
    }

    /** {@code C[m×n] += Aᵀ · B} where A is row-major {@code [k×m]} and B is {@code [k×n]}. */
    public static void mulAddTransposedA(int m, int n, int k, float[] a, int aOff, int lda,
                                         float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        general(m, n, k, a, aOff, 1, lda, b, bOff, ldb, c, cOff, ldc);
    }

    /**
     * {@code C[i][j] += Σ_p A(i,p) · B[p][j]} with {@code A(i,p) = a[aOff + i·aRowStride + p·aColStride]},
     * {@code B[p][j] = b[bOff + p·ldb + j]} and {@code C[i][j] = c[cOff + i·ldc + j]}.
     */
    public static void general(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
                               float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0 || k <= 0) {
            return;
        }
        for (int panel = 0; panel < n; panel += PANEL_COLS) {
            int panelEnd = Math.min(n, panel + PANEL_COLS);
            int i = 0;
            for (; i + BLOCK_ROWS <= m; i += BLOCK_ROWS) {
                rowBlock4(i, panel, panelEnd, k, a, aOff, aRowStride, aColStride, b, bOff, ldb, c, cOff, ldc);
            }
            for (; i < m; i++) {
                singleRow(i, panel, panelEnd, k, a, aOff, aRowStride, aColStride, b, bOff, ldb, c, cOff, ldc);
            }
        }
    }

    private static void rowBlock4(int i, int colStart, int colEnd, int k, float[] a, int aOff, int ars, int acs,
                                  float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int a0 = aOff + i * ars;
        int a1 = a0 + ars;
        int a2 = a1 + ars;
        int a3 = a2 + ars;
        int c0 = cOff + i * ldc;
        int c1 = c0 + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        int j = colStart;
        for (; j + BLOCK_COLS <= colEnd; j += BLOCK_COLS) {
            FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s02 = s00;
            FloatVector s10 = s00, s11 = s00, s12 = s00;
            FloatVector s20 = s00, s21 = s00, s22 = s00;
            FloatVector s30 = s00, s31 = s00, s32 = s00;
            int bp = bOff + j;
            int ap = 0;
            for (int p = 0; p < k; p++, bp += ldb, ap += acs) {
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
                FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
                FloatVector b2 = FloatVector.fromArray(SPECIES, b, bp + 2 * LANES);
                FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + ap]);
                s00 = x.fma(b0, s00);
                s01 = x.fma(b1, s01);
                s02 = x.fma(b2, s02);
                x = FloatVector.broadcast(SPECIES, a[a1 + ap]);
                s10 = x.fma(b0, s10);
                s11 = x.fma(b1, s11);
                s12 = x.fma(b2, s12);
                x = FloatVector.broadcast(SPECIES, a[a2 + ap]);
                s20 = x.fma(b0, s20);
                s21 = x.fma(b1, s21);
                s22 = x.fma(b2, s22);
                x = FloatVector.broadcast(SPECIES, a[a3 + ap]);
                s30 = x.fma(b0, s30);
                s31 = x.fma(b1, s31);
                s32 = x.fma(b2, s32);
            }
            addTo(c, c0 + j, s00, s01, s02);
            addTo(c, c1 + j, s10, s11, s12);
            addTo(c, c2 + j, s20, s21, s22);
            addTo(c, c3 + j, s30, s31, s32);
        }
        for (; j + LANES <= colEnd; j += LANES) {
            FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
            int bp = bOff + j;
            int ap = 0;
            for (int p = 0; p < k; p++, bp += ldb, ap += acs) {
                FloatVector bv = FloatVector.fromArray(SPECIES, b, bp);
                s0 = FloatVector.broadcast(SPECIES, a[a0 + ap]).fma(bv, s0);
                s1 = FloatVector.broadcast(SPECIES, a[a1 + ap]).fma(bv, s1);
                s2 = FloatVector.broadcast(SPECIES, a[a2 + ap]).fma(bv, s2);
                s3 = FloatVector.broadcast(SPECIES, a[a3 + ap]).fma(bv, s3);
            }
            s0.add(FloatVector.fromArray(SPECIES, c, c0 + j)).intoArray(c, c0 + j);
            s1.add(FloatVector.fromArray(SPECIES, c, c1 + j)).intoArray(c, c1 + j);
            s2.add(FloatVector.fromArray(SPECIES, c, c2 + j)).intoArray(c, c2 + j);
            s3.add(FloatVector.fromArray(SPECIES, c, c3 + j)).intoArray(c, c3 + j);
        }
        for (; j < colEnd; j++) {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int bp = bOff + j;
            int ap = 0;
            for (int p = 0; p < k; p++, bp += ldb, ap += acs) {
                float bv = b[bp];
                s0 += a[a0 + ap] * bv;
                s1 += a[a1 + ap] * bv;
                s2 += a[a2 + ap] * bv;
                s3 += a[a3 + ap] * bv;
            }
            c[c0 + j] += s0;
            c[c1 + j] += s1;
            c[c2 + j] += s2;
            c[c3 + j] += s3;
        }
    }

    private static void singleRow(int i, int colStart, int colEnd, int k, float[] a, int aOff, int ars, int acs,
                                  float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int a0 = aOff + i * ars;
        int c0 = cOff + i * ldc;
        int j = colStart;
        for (; j + LANES <= colEnd; j += LANES) {
            FloatVector s = FloatVector.zero(SPECIES);
            int bp = bOff + j;
            int ap = a0;
            for (int p = 0; p < k; p++, bp += ldb, ap += acs) {
                s = FloatVector.broadcast(SPECIES, a[ap]).fma(FloatVector.fromArray(SPECIES, b, bp), s);
            }
            s.add(FloatVector.fromArray(SPECIES, c, c0 + j)).intoArray(c, c0 + j);
        }
        for (; j < colEnd; j++) {
            float s = 0;
            int bp = bOff + j;
            int ap = a0;
            for (int p = 0; p < k; p++, bp += ldb, ap += acs) {
                s += a[ap] * b[bp];
            }
            c[c0 + j] += s;
        }
    }

    private static void addTo(float[] c, int at, FloatVector v0, FloatVector v1, FloatVector v2) {
        v0.add(FloatVector.fromArray(SPECIES, c, at)).intoArray(c, at);
        v1.add(FloatVector.fromArray(SPECIES, c, at + LANES)).intoArray(c, at + LANES);
        v2.add(FloatVector.fromArray(SPECIES, c, at + 2 * LANES)).intoArray(c, at + 2 * LANES);
    }

    /** {@code dst[n] += Σ_rows src[row][·]}: column sums of a row-major {@code [rows×n]} block (bias gradients). */
    public static void addColumnSums(int rows, int n, float[] src, int srcOff, int lds, float[] dst, int dstOff) {
        for (int r = 0; r < rows; r++) {
            int s = srcOff + r * lds;
            int j = 0;
            for (; j + LANES <= n; j += LANES) {
                FloatVector.fromArray(SPECIES, src, s + j)
                        .add(FloatVector.fromArray(SPECIES, dst, dstOff + j))
                        .intoArray(dst, dstOff + j);
            }
            for (; j < n; j++) {
                dst[dstOff + j] += src[s + j];
            }
        }
    }

    /** Writes the transpose of row-major {@code src[rows×cols]} into {@code dst[cols×rows]}. */
    public static void transpose(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff) {
        final int tile = 32;
        for (int r0 = 0; r0 < rows; r0 += tile) {
            int r1 = Math.min(rows, r0 + tile);
            for (int c0 = 0; c0 < cols; c0 += tile) {
                int c1 = Math.min(cols, c0 + tile);
                for (int r = r0; r < r1; r++) {
                    int s = srcOff + r * cols;
                    for (int col = c0; col < c1; col++) {
                        dst[dstOff + col * rows + r] = src[s + col];
                    }
                }
            }
        }
    }

    /** Dot product used by tests and small reductions. */
    public static float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            acc = FloatVector.fromArray(SPECIES, x, xOff + i).fma(FloatVector.fromArray(SPECIES, y, yOff + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }
}
