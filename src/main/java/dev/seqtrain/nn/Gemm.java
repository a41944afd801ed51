package dev.seqtrain.nn;

import dev.ludovic.netlib.blas.BLAS;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-threaded float32 matrix multiply {@code C += A · B}: native BLAS when {@link GemmBackend}
 * found one, else our own kernel written with the Java Vector API.
 *
 * <p>Why our own kernel: on the LSTM-sized products this project computes it measured 1.2–2.5× faster
 * than the Java fallback of the BLAS Spark ships ({@code dev.ludovic.netlib}), without needing a native
 * library on the executors; native OpenBLAS, where installed, is about twice as fast again
 * (README, "Choosing the GEMM").
 *
 * <p>How: B is first packed into column panels one vector wide ({@link PackedMatrix}), so the inner
 * loop streams contiguous memory whatever B's original layout (row-major, or transposed, as weight
 * matrices are used); a row-major A is read in place ({@link RowMajorGemm}), a column-major one packed
 * too, one vector's worth of rows at a time. This class's micro-kernel keeps a 4-row × 2-vector
 * block of C in registers: eight independent FMA chains (enough to hide FMA latency) fed by 0.75
 * loads per FMA. Measured in the training loop it beat an 8 × 1 block by about 1.4× (that one needs
 * 1.125 loads per FMA), and a 4 × 3 block spills on AVX2's 16 registers. With AVX-512 the vectors are 16
 * floats wide (twice the work per instruction, same bits: {@link VectorWidth}); there an 8 × 2 block
 * (16 accumulators, which the 32 registers would hold) measured 1.5× slower than 4 × 2 as C2 compiles it:
 * C2 on Java 17 keeps at most about 16 vectors live in this loop and spills an accumulator to the stack
 * every term beyond that. The in-place kernel ({@link RowMajorGemm}) uses 5 × 2 blocks, 16 live vectors
 * exactly; here, on the weight gradients, 5 × 2 (with A packed 10 rows at a time) ran no faster than
 * 4 × 2: these products wait on memory (the same 4 × 2 kernel with its operands in L1 runs 15% faster).
 * The inner loops index everything from their one induction variable, so that C2 can hoist the bounds
 * checks: with separately incremented offsets the same loop ran 1.3× slower.
 */
public final class Gemm {
    /** 16 lanes with AVX-512, else 8: the same bits either way ({@link VectorWidth}). */
    static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;
    static final int LANES = SPECIES.length();
    private static final ThreadLocal<PackedMatrix> SCRATCH = ThreadLocal.withInitial(PackedMatrix::new);
    static final int K_BLOCK = 256;
    private static final int M_BLOCK = 64;

    private Gemm() {
    }

    /** The vector species of our kernels (a benchmark that measures the machine at their width uses it). */
    public static VectorSpecies<Float> species() {
        return SPECIES;
    }

    /**
     * {@code C[i][j] += Σ_p A(i,p) · B[p][j]} for {@code i < m}, {@code j < b.cols()}, {@code p < b.rows()},
     * with {@code A(i,p) = a[aOff + i·aRowStride + p·aColStride]} and {@code C[i][j] = c[cOff + i·ldc + j]}.
     * A row-major A is read in place ({@link RowMajorGemm}); a column-major one is packed first (into a
     * per-thread buffer): one pass over A, repaid n/LANES times over. Both give the same bits. Why in place
     * whatever the shape: with the in-place kernel's 5-row blocks it measured 1.0–1.3× faster than packing
     * A (and transposing it, one scalar copy per element) on every shape tried, from the step products to
     * 6400 × 256 × 1024; before them, packing had won once B was wider than 8 panels.
     */
    public static void multiply(int m, float[] a, int aOff, int aRowStride, int aColStride, PackedMatrix b,
                                float[] c, int cOff, int ldc) {
        BLAS blas = GemmBackend.nativeFor(m);
        if (blas != null) {
            if (m > 0 && b.cols() > 0 && b.rows() > 0) {
                // Row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ: B's operand first.
                boolean aRowMajor = aColStride == 1;
                blas.sgemm(b.sourceTransposed() ? "T" : "N", aRowMajor ? "N" : "T", b.cols(), m, b.rows(), 1f,
                        b.source(), b.sourceOffset(), b.sourceLd(), a, aOff, aRowMajor ? aRowStride : aColStride,
                        1f, c, cOff, ldc);
            }
            return;
        }
        if (aColStride == 1) {
            RowMajorGemm.multiply(m, a, aOff, aRowStride, b, c, cOff, ldc);   // A read in place
            return;
        }
        PackedMatrix aT = SCRATCH.get();
        aT.packStrided(a, aOff, b.rows(), m, aColStride, aRowStride);
        multiplyPackedA(aT, b, c, cOff, ldc);
    }

    /**
     * {@code C[m×n] += A · B} where A is given packed as its transpose: {@code aT} holds {@code Aᵀ}
     * ({@code [k×m]}), packed like any right-hand operand, so that 8 consecutive floats are the 8 rows
     * of a register block at one step of the sum.
     */
    public static void multiplyPackedA(PackedMatrix aT, PackedMatrix b, float[] c, int cOff, int ldc) {
        int m = aT.cols();
        int n = b.cols();
        int k = b.rows();
        if (aT.rows() != k) {
            throw new IllegalArgumentException("inner dimensions differ: " + aT.rows() + " vs " + k);
        }
        if (m <= 0 || n <= 0 || k <= 0) {
            return;
        }
        BLAS blas = GemmBackend.nativeFor(m);
        if (blas != null) {
            // As in multiply: column-major Cᵀ = Bᵀ·Aᵀ. aT packed "not transposed" is row-major Aᵀ, i.e. column-major A.
            blas.sgemm(b.sourceTransposed() ? "T" : "N", aT.sourceTransposed() ? "N" : "T", n, m, k, 1f,
                    b.source(), b.sourceOffset(), b.sourceLd(), aT.source(), aT.sourceOffset(), aT.sourceLd(),
                    1f, c, cOff, ldc);
            return;
        }
        float[] pa = aT.data();
        float[] pb = b.data();
        int panel = k * LANES;
        int colPanels = b.panels();
        int fullPanels = n / LANES;
        // Cache blocking in the GotoBLAS order: K_BLOCK terms of the sum at a time, so that a panel of B
        // (K_BLOCK × one vector) stays in L1; within that, M_BLOCK rows of A, which stay in L2 while
        // every panel of B passes over them.
        int fullRows = m / 8 * 8;
        float[] scratch = new float[LANES];   // a partial panel's lanes (store)
        for (int k0 = 0; k0 < k; k0 += K_BLOCK) {
            int kl = Math.min(K_BLOCK, k - k0);
            int first = k0 * LANES;
            for (int i0 = 0; i0 < fullRows; i0 += M_BLOCK) {
                int i1 = Math.min(fullRows, i0 + M_BLOCK);
                blocks4x2(kl, i0, i1, fullPanels, pa, pb, first, panel, c, cOff, ldc);
            }
            if (fullPanels < colPanels) {
                // The last, partial panel: four rows at a time (four independent chains, not one chain
                // waiting on each FMA), so the kernel above never sees a partial store.
                int j = fullPanels * LANES;
                for (int i = 0; i < fullRows; i += 4) {
                    rows4x1(kl, pa, first + i / LANES * panel + i % LANES, pb, first + fullPanels * panel,
                            c, cOff + i * ldc + j, ldc, n - j, scratch);
                }
            }
            for (int i = fullRows; i < m; i++) {
                int ap = first + i / LANES * panel + i % LANES;
                for (int jb = 0; jb < colPanels; jb++) {
                    int j = jb * LANES;
                    row1(kl, pa, ap, pb, first + jb * panel, c, cOff + i * ldc + j, Math.min(LANES, n - j), scratch);
                }
            }
        }
    }

    /**
     * Rows {@code [i0, i1)} (a multiple of 8) against panels {@code [firstPanel, panels)} of B, {@code kl}
     * terms of the sum from {@code first}, in 8 × 1-vector register blocks: eight independent FMA chains.
     * Row i of A at term p is {@code pa[first + (i/LANES)·panel + i%LANES + p·LANES]}; panel jb of B at
     * term p is the vector at {@code pb[first + jb·panel + p·LANES]}. The kernels are written out inside
     * the loops on purpose: as a separate method C2 compiled the block into code that ran at a third of
     * the speed. Every index is the loop variable times the constant LANES plus an invariant: so C2 can
     * hoist the bounds checks (with the stride a variable, or offsets incremented separately, the loop
     * ran 1.3–1.6× slower).
     */
    private static void blocks8x1(int kl, int i0, int i1, int firstPanel, int panels, float[] pa, float[] pb, int first,
                                  int panel, float[] c, int cOff, int ldc) {
        for (int jb = firstPanel; jb < panels; jb++) {
            int j = jb * LANES;
            int b0 = first + jb * panel;
            for (int i = i0; i < i1; i += 8) {
                FloatVector s0 = FloatVector.zero(SPECIES), s1 = FloatVector.zero(SPECIES), s2 = FloatVector.zero(SPECIES),
                        s3 = FloatVector.zero(SPECIES), s4 = FloatVector.zero(SPECIES), s5 = FloatVector.zero(SPECIES),
                        s6 = FloatVector.zero(SPECIES), s7 = FloatVector.zero(SPECIES);
                int a0 = first + i / LANES * panel + i % LANES;
                for (int p = 0; p < kl; p++) {
                    FloatVector bv = FloatVector.fromArray(SPECIES, pb, b0 + p * LANES);
                    int ap = a0 + p * LANES;
                    s0 = FloatVector.broadcast(SPECIES, pa[ap]).fma(bv, s0);
                    s1 = FloatVector.broadcast(SPECIES, pa[ap + 1]).fma(bv, s1);
                    s2 = FloatVector.broadcast(SPECIES, pa[ap + 2]).fma(bv, s2);
                    s3 = FloatVector.broadcast(SPECIES, pa[ap + 3]).fma(bv, s3);
                    s4 = FloatVector.broadcast(SPECIES, pa[ap + 4]).fma(bv, s4);
                    s5 = FloatVector.broadcast(SPECIES, pa[ap + 5]).fma(bv, s5);
                    s6 = FloatVector.broadcast(SPECIES, pa[ap + 6]).fma(bv, s6);
                    s7 = FloatVector.broadcast(SPECIES, pa[ap + 7]).fma(bv, s7);
                }
                int o = cOff + i * ldc + j;
                addInto(s0, c, o);
                addInto(s1, c, o + ldc);
                addInto(s2, c, o + 2 * ldc);
                addInto(s3, c, o + 3 * ldc);
                addInto(s4, c, o + 4 * ldc);
                addInto(s5, c, o + 5 * ldc);
                addInto(s6, c, o + 6 * ldc);
                addInto(s7, c, o + 7 * ldc);
            }
        }
    }

    /**
     * Rows {@code [i0, i1)} against pairs of full panels, 4 rows × 2 vectors at a time (operands
     * addressed as in {@link #blocks8x1}): eight accumulators fed by 2 vector loads and 4 broadcasts per
     * term of the sum (0.75 loads per FMA, against 1.125 for 8 × 1). Eight accumulators, two B vectors
     * and a broadcast fit AVX2's 16 registers; a 4 × 3 block spills there.
     */
    private static void blocks4x2(int kl, int i0, int i1, int panels, float[] pa, float[] pb, int first, int panel,
                                  float[] c, int cOff, int ldc) {
        int jb = 0;
        for (; jb + 1 < panels; jb += 2) {
            int j = jb * LANES;
            int b0s = first + jb * panel;
            int b1s = b0s + panel;
            for (int i = i0; i < i1; i += 4) {
                FloatVector s00 = FloatVector.zero(SPECIES), s01 = FloatVector.zero(SPECIES);
                FloatVector s10 = FloatVector.zero(SPECIES), s11 = FloatVector.zero(SPECIES);
                FloatVector s20 = FloatVector.zero(SPECIES), s21 = FloatVector.zero(SPECIES);
                FloatVector s30 = FloatVector.zero(SPECIES), s31 = FloatVector.zero(SPECIES);
                int a0 = first + i / LANES * panel + i % LANES;
                for (int p = 0; p < kl; p++) {
                    FloatVector b0 = FloatVector.fromArray(SPECIES, pb, b0s + p * LANES);
                    FloatVector b1 = FloatVector.fromArray(SPECIES, pb, b1s + p * LANES);
                    int ap = a0 + p * LANES;
                    FloatVector x = FloatVector.broadcast(SPECIES, pa[ap]);
                    s00 = x.fma(b0, s00);
                    s01 = x.fma(b1, s01);
                    x = FloatVector.broadcast(SPECIES, pa[ap + 1]);
                    s10 = x.fma(b0, s10);
                    s11 = x.fma(b1, s11);
                    x = FloatVector.broadcast(SPECIES, pa[ap + 2]);
                    s20 = x.fma(b0, s20);
                    s21 = x.fma(b1, s21);
                    x = FloatVector.broadcast(SPECIES, pa[ap + 3]);
                    s30 = x.fma(b0, s30);
                    s31 = x.fma(b1, s31);
                }
                int o = cOff + i * ldc + j;
                addInto(s00, c, o);
                addInto(s01, c, o + LANES);
                addInto(s10, c, o + ldc);
                addInto(s11, c, o + ldc + LANES);
                addInto(s20, c, o + 2 * ldc);
                addInto(s21, c, o + 2 * ldc + LANES);
                addInto(s30, c, o + 3 * ldc);
                addInto(s31, c, o + 3 * ldc + LANES);
            }
        }
        if (jb < panels) {
            blocks8x1(kl, i0, i1, jb, panels, pa, pb, first, panel, c, cOff, ldc);
        }
    }

    /** {@code c[at..at+LANES) += s}: a block's partial sum over K_BLOCK terms joins what C already holds. */
    static void addInto(FloatVector s, float[] c, int at) {
        s.add(FloatVector.fromArray(SPECIES, c, at)).intoArray(c, at);
    }

    /** Rows i..i+3 (i a multiple of 4, so within one packed group of A) against one panel: each row's own chain. */
    private static void rows4x1(int kl, float[] pa, int ap, float[] pb, int bp, float[] c, int c0, int ldc, int width,
                                float[] scratch) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = FloatVector.zero(SPECIES);
        FloatVector s2 = FloatVector.zero(SPECIES), s3 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kl; p++) {
            FloatVector b = FloatVector.fromArray(SPECIES, pb, bp + p * LANES);
            int a = ap + p * LANES;
            s0 = FloatVector.broadcast(SPECIES, pa[a]).fma(b, s0);
            s1 = FloatVector.broadcast(SPECIES, pa[a + 1]).fma(b, s1);
            s2 = FloatVector.broadcast(SPECIES, pa[a + 2]).fma(b, s2);
            s3 = FloatVector.broadcast(SPECIES, pa[a + 3]).fma(b, s3);
        }
        store(s0, c, c0, width, scratch);
        store(s1, c, c0 + ldc, width, scratch);
        store(s2, c, c0 + 2 * ldc, width, scratch);
        store(s3, c, c0 + 3 * ldc, width, scratch);
    }

    /** One row of C against one panel (the rows after the last multiple of 8, and the last partial panel). */
    private static void row1(int kl, float[] pa, int ap, float[] pb, int bp, float[] c, int c0, int width, float[] scratch) {
        FloatVector s = FloatVector.zero(SPECIES);
        for (int p = 0; p < kl; p++) {
            s = FloatVector.broadcast(SPECIES, pa[ap + p * LANES]).fma(FloatVector.fromArray(SPECIES, pb, bp + p * LANES), s);
        }
        store(s, c, c0, width, scratch);
    }

    /**
     * {@code c[at..at+width) += s[0..width)}; the last panel of a matrix may be narrower than a vector.
     * A partial panel's lanes go through {@code scratch} (at least LANES floats, allocated once per
     * product by the caller), then a scalar loop. Not a masked store: Java 17 runs those through its
     * scalar fallback. Not an array allocated here: whether C2 removes such an allocation depends on the
     * context it compiles the kernel in, and where it did not, the 65-wide output layer of the character
     * models ran at a third of the speed of a 64-wide one. Small enough (under C2's 35 bytes for a call
     * site it finds cold; {@code InliningTest} checks) that the vector is never boxed into a call.
     */
    static void store(FloatVector s, float[] c, int at, int width, float[] scratch) {
        if (width == LANES) {
            addInto(s, c, at);
        } else {
            s.intoArray(scratch, 0);
            addLanes(scratch, c, at, width);
        }
    }

    private static void addLanes(float[] lanes, float[] c, int at, int width) {
        for (int j = 0; j < width; j++) {
            c[at + j] += lanes[j];
        }
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

    /**
     * Adds one row {@code src[srcOff..srcOff+n)} into up to three destinations in one pass over it (the
     * bias gradients and a token's input-weight gradient all sum the same gate gradients): {@code d1}
     * always, {@code d2} and {@code d3} when not null. Each destination gets the
     * same additions, in the same order, as a separate {@link #addColumnSums} over the rows would give.
     */
    public static void addRowInto(int n, float[] src, int srcOff, float[] d1, int off1, float[] d2, int off2,
                                  float[] d3, int off3) {
        boolean second = d2 != null;
        boolean third = d3 != null;
        int j = 0;
        for (; j + LANES <= n; j += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, src, srcOff + j);
            v.add(FloatVector.fromArray(SPECIES, d1, off1 + j)).intoArray(d1, off1 + j);
            if (second) {
                v.add(FloatVector.fromArray(SPECIES, d2, off2 + j)).intoArray(d2, off2 + j);
            }
            if (third) {
                v.add(FloatVector.fromArray(SPECIES, d3, off3 + j)).intoArray(d3, off3 + j);
            }
        }
        for (; j < n; j++) {
            float v = src[srcOff + j];
            d1[off1 + j] += v;
            if (second) {
                d2[off2 + j] += v;
            }
            if (third) {
                d3[off3 + j] += v;
            }
        }
    }

    /** {@code dst[dOff..dOff+n) = x[xOff..) + y[yOff..)}. */
    public static void sum(int n, float[] x, int xOff, float[] y, int yOff, float[] dst, int dOff) {
        int j = 0;
        for (; j + LANES <= n; j += LANES) {
            FloatVector.fromArray(SPECIES, x, xOff + j).add(FloatVector.fromArray(SPECIES, y, yOff + j)).intoArray(dst, dOff + j);
        }
        for (; j < n; j++) {
            dst[dOff + j] = x[xOff + j] + y[yOff + j];
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
}
