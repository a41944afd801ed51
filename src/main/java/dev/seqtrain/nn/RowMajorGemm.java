package dev.seqtrain.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C += A · B} for every row-major A, read where it is: the hidden state (or the gate gradients)
 * of a minibatch at each step, and the whole-sequence products (input projections, the output layer)
 * against a packed weight matrix.
 *
 * <p>Why not pack A as {@link Gemm#multiply} does a column-major one: packing a row-major A means
 * transposing it, one scalar copy per element for every step of every sequence, which took a tenth of
 * a small model's GEMM time. Here the rows of a register block are read as sequential streams instead.
 * Each element of C is the same chain of fused multiply-adds as in {@link Gemm} (the terms of each
 * {@link Gemm#K_BLOCK} in order, from zero, then added to C), so the bits do not depend on the path.
 *
 * <p>Why 5-row register blocks: ten accumulators instead of eight. With AVX-512 this CPU retires two
 * FMAs per cycle at a latency of four, so eight chains leave the units no slack; in L1 the 5 × 2 block
 * ran at 192 GFLOP/s against 4 × 2's 170 (the FMA peak is 210). Ten accumulators, five broadcasts and
 * a B vector are 16 live vectors, the most C2 on Java 17 keeps in registers in this loop: 6 × 2, 4 × 3,
 * 2 × 5 and 8 × 2 blocks all spill an accumulator to the stack every term and ran at 40–60% of this
 * speed. A few 4-row blocks make up the row count so that no row is left to a slower kernel.
 */
final class RowMajorGemm {
    private static final VectorSpecies<Float> SPECIES = Gemm.SPECIES;
    private static final int LANES = Gemm.LANES;
    /** Rows of A per chunk (a multiple of 5): 240 × 256 floats is 240 KB, a quarter of this CPU's L2. */
    private static final int ROW_CHUNK = 240;

    private RowMajorGemm() {
    }

    /** {@code C[m×n] += A · B} with {@code A(i,p) = a[aOff + i·lda + p]}. */
    static void multiply(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] c, int cOff, int ldc) {
        int n = b.cols();
        int k = b.rows();
        if (m <= 0 || n <= 0 || k <= 0) {
            return;
        }
        float[] pb = b.data();
        int panels = b.panels();
        int fullPanels = n / LANES;
        int panel = k * LANES;
        int fullRows = m / 4 * 4;
        // Rows [0, fours) in 4-row blocks and [fours, pairedRows) in 5-row blocks. Some count of 4-row blocks
        // (0 to 4 of them) leaves a multiple of 5, so pairedRows is m; when m is too small for it (6, 7 or 11
        // rows), 4-row blocks only, and the rows after them one at a time.
        int fours = 4 * ((4 * m) % 5);
        if (fours > m) {
            fours = fullRows;
        }
        int pairedRows = fours + (m - fours) / 5 * 5;
        int pairedPanels = fullPanels / 2 * 2;
        float[] scratch = new float[LANES];   // a partial panel's lanes (Gemm.store)
        for (int k0 = 0; k0 < k; k0 += Gemm.K_BLOCK) {
            int kl = Math.min(Gemm.K_BLOCK, k - k0);
            int first = k0 * LANES;
            // Row chunks outside, so that a chunk of A (ROW_CHUNK rows × K_BLOCK terms) stays in L2 while every
            // panel pair of B passes over it: without them a product of many rows reads A from memory once per
            // pair. Within a chunk, panel pairs outside and row blocks inside: a pair of B panels
            // (K_BLOCK × 2 vectors) stays in L1 while every row block of the chunk passes over it.
            for (int r0 = 0; r0 < pairedRows; ) {
                int r1 = Math.min(pairedRows, Math.max(r0, fours) + ROW_CHUNK);
                for (int jb = 0; jb < pairedPanels; jb += 2) {
                    int b0 = first + jb * panel;
                    for (int i = r0; i < Math.min(fours, r1); i += 4) {
                        block4x2(kl, a, aOff + i * lda + k0, lda, pb, b0, b0 + panel, c, cOff + i * ldc + jb * LANES, ldc);
                    }
                    for (int i = Math.max(r0, fours); i < r1; i += 5) {
                        block5x2(kl, a, aOff + i * lda + k0, lda, pb, b0, b0 + panel, c, cOff + i * ldc + jb * LANES, ldc);
                    }
                }
                r0 = r1;
            }
            for (int jb = pairedPanels; jb < panels; jb++) {
                // A last single panel (full, or the partial one of a 65-wide output): four rows at a time, so
                // four independent chains instead of one waiting on each FMA.
                int j = jb * LANES;
                for (int i = 0; i < fullRows; i += 4) {
                    rows4x1(kl, a, aOff + i * lda + k0, lda, pb, first + jb * panel, c, cOff + i * ldc + j, ldc,
                            Math.min(LANES, n - j), scratch);
                }
            }
            for (int i = fullRows; i < m; i++) {
                int a0 = aOff + i * lda + k0;
                for (int q = i < pairedRows ? pairedPanels : 0; q < panels; q++) {   // the pairs unless 5-row blocks had them
                    int j = q * LANES;
                    row1(kl, a, a0, pb, first + q * panel, c, cOff + i * ldc + j, Math.min(LANES, n - j), scratch);
                }
            }
        }
    }

    /** 4 rows × 2 vectors: eight accumulators, 2 vector loads and 4 broadcasts per term, as {@code Gemm.blocks4x2}. */
    private static void block4x2(int kl, float[] a, int a0, int lda, float[] pb, int b0s, int b1s, float[] c, int o, int ldc) {
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = FloatVector.zero(SPECIES);
        FloatVector s10 = FloatVector.zero(SPECIES), s11 = FloatVector.zero(SPECIES);
        FloatVector s20 = FloatVector.zero(SPECIES), s21 = FloatVector.zero(SPECIES);
        FloatVector s30 = FloatVector.zero(SPECIES), s31 = FloatVector.zero(SPECIES);
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        for (int p = 0; p < kl; p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, b0s + p * LANES);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, b1s + p * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            s10 = x.fma(b0, s10);
            s11 = x.fma(b1, s11);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            s20 = x.fma(b0, s20);
            s21 = x.fma(b1, s21);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            s30 = x.fma(b0, s30);
            s31 = x.fma(b1, s31);
        }
        Gemm.addInto(s00, c, o);
        Gemm.addInto(s01, c, o + LANES);
        Gemm.addInto(s10, c, o + ldc);
        Gemm.addInto(s11, c, o + ldc + LANES);
        Gemm.addInto(s20, c, o + 2 * ldc);
        Gemm.addInto(s21, c, o + 2 * ldc + LANES);
        Gemm.addInto(s30, c, o + 3 * ldc);
        Gemm.addInto(s31, c, o + 3 * ldc + LANES);
    }

    /** 5 rows × 2 vectors: ten accumulators, 2 vector loads and 5 broadcasts per term (see the class comment). */
    private static void block5x2(int kl, float[] a, int a0, int lda, float[] pb, int b0s, int b1s, float[] c, int o, int ldc) {
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = FloatVector.zero(SPECIES);
        FloatVector s10 = FloatVector.zero(SPECIES), s11 = FloatVector.zero(SPECIES);
        FloatVector s20 = FloatVector.zero(SPECIES), s21 = FloatVector.zero(SPECIES);
        FloatVector s30 = FloatVector.zero(SPECIES), s31 = FloatVector.zero(SPECIES);
        FloatVector s40 = FloatVector.zero(SPECIES), s41 = FloatVector.zero(SPECIES);
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        for (int p = 0; p < kl; p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, b0s + p * LANES);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, b1s + p * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            s10 = x.fma(b0, s10);
            s11 = x.fma(b1, s11);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            s20 = x.fma(b0, s20);
            s21 = x.fma(b1, s21);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            s30 = x.fma(b0, s30);
            s31 = x.fma(b1, s31);
            x = FloatVector.broadcast(SPECIES, a[a4 + p]);
            s40 = x.fma(b0, s40);
            s41 = x.fma(b1, s41);
        }
        Gemm.addInto(s00, c, o);
        Gemm.addInto(s01, c, o + LANES);
        Gemm.addInto(s10, c, o + ldc);
        Gemm.addInto(s11, c, o + ldc + LANES);
        Gemm.addInto(s20, c, o + 2 * ldc);
        Gemm.addInto(s21, c, o + 2 * ldc + LANES);
        Gemm.addInto(s30, c, o + 3 * ldc);
        Gemm.addInto(s31, c, o + 3 * ldc + LANES);
        Gemm.addInto(s40, c, o + 4 * ldc);
        Gemm.addInto(s41, c, o + 4 * ldc + LANES);
    }

    /** 4 rows × 1 vector, {@code width} columns of it stored. */
    private static void rows4x1(int kl, float[] a, int a0, int lda, float[] pb, int bp, float[] c, int o, int ldc, int width,
                                float[] scratch) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = FloatVector.zero(SPECIES);
        FloatVector s2 = FloatVector.zero(SPECIES), s3 = FloatVector.zero(SPECIES);
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        for (int p = 0; p < kl; p++) {
            FloatVector b = FloatVector.fromArray(SPECIES, pb, bp + p * LANES);
            s0 = FloatVector.broadcast(SPECIES, a[a0 + p]).fma(b, s0);
            s1 = FloatVector.broadcast(SPECIES, a[a1 + p]).fma(b, s1);
            s2 = FloatVector.broadcast(SPECIES, a[a2 + p]).fma(b, s2);
            s3 = FloatVector.broadcast(SPECIES, a[a3 + p]).fma(b, s3);
        }
        Gemm.store(s0, c, o, width, scratch);
        Gemm.store(s1, c, o + ldc, width, scratch);
        Gemm.store(s2, c, o + 2 * ldc, width, scratch);
        Gemm.store(s3, c, o + 3 * ldc, width, scratch);
    }

    /** One row against one panel, {@code width} columns of it stored. */
    private static void row1(int kl, float[] a, int a0, float[] pb, int bp, float[] c, int c0, int width, float[] scratch) {
        FloatVector s = FloatVector.zero(SPECIES);
        for (int p = 0; p < kl; p++) {
            s = FloatVector.broadcast(SPECIES, a[a0 + p]).fma(FloatVector.fromArray(SPECIES, pb, bp + p * LANES), s);
        }
        Gemm.store(s, c, c0, width, scratch);
    }
}
