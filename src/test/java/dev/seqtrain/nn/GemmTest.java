package dev.seqtrain.nn;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every path of {@link Gemm} against a product computed in double precision: A read in place and packed,
 * given row-major and column-major, B packed from a row-major matrix and from a transposed one, and A
 * packed as its transpose ({@link Gemm#multiplyPackedA}, the weight gradients). The shapes leave partial
 * register blocks, partial panels, row counts that are not a multiple of the packing's row block, and
 * sums longer than one K block; and row counts of every kind for the in-place kernel's 4- and 5-row
 * blocks (6, 7 and 11 rows have no mix of them and fall back to 4-row blocks and single rows), and
 * row counts over several of its row chunks. (The surefire run with {@code -Dseqtrain.gemm=java} tests our kernel;
 * the default run, native BLAS where it loads.)
 */
class GemmTest {
    private static final int[][] SHAPES = {
            {1, 1, 1}, {3, 5, 7}, {4, 16, 16}, {8, 32, 300}, {9, 33, 257}, {37, 65, 513}, {64, 512, 128},
            {129, 17, 40}, {200, 65, 130}, {1601, 24, 33}, {40, 130, 1601},
            {5, 32, 20}, {6, 48, 20}, {7, 64, 9}, {11, 40, 9}, {13, 96, 31}, {14, 64, 70}, {32, 512, 128},
            {730, 40, 300}};

    @Test
    void everyPathMatchesADoublePrecisionProduct() {
        for (int[] s : SHAPES) {
            int m = s[0], n = s[1], k = s[2];
            SplittableRandom rng = new SplittableRandom(31L * m + 7L * n + k);
            float[] a = WidthProbe.random(rng, m * k);      // row-major [m×k]
            float[] b = WidthProbe.random(rng, k * n);      // row-major [k×n]
            float[] c0 = WidthProbe.random(rng, m * n);
            double[] expected = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = c0[i * n + j];
                    for (int p = 0; p < k; p++) {
                        sum += (double) a[i * k + p] * b[p * n + j];
                    }
                    expected[i * n + j] = sum;
                }
            }
            float[] aT = new float[k * m];
            Gemm.transpose(m, k, a, 0, aT, 0);
            float[] bT = new float[n * k];
            Gemm.transpose(k, n, b, 0, bT, 0);
            String shape = m + "x" + n + "x" + k;

            float[] c = c0.clone();
            Gemm.multiply(m, a, 0, k, 1, new PackedMatrix().pack(b, 0, k, n, n, false), c, 0, n);
            assertClose(expected, c, k, shape + " A row-major, B row-major");

            c = c0.clone();
            Gemm.multiply(m, aT, 0, 1, m, new PackedMatrix().pack(bT, 0, k, n, k, true), c, 0, n);
            assertClose(expected, c, k, shape + " A column-major, B transposed");

            c = c0.clone();
            Gemm.multiplyPackedA(new PackedMatrix().pack(aT, 0, k, m, m, false),
                    new PackedMatrix().pack(b, 0, k, n, n, false), c, 0, n);
            assertClose(expected, c, k, shape + " A packed as its transpose");

            // Offsets and leading dimensions wider than the matrix: a block inside larger arrays.
            int pad = 3;
            float[] wideA = new float[pad + m * (k + pad)];
            for (int i = 0; i < m; i++) {
                System.arraycopy(a, i * k, wideA, pad + i * (k + pad), k);
            }
            float[] wideB = new float[pad + k * (n + pad)];
            for (int p = 0; p < k; p++) {
                System.arraycopy(b, p * n, wideB, pad + p * (n + pad), n);
            }
            float[] wideC = new float[pad + m * (n + pad)];
            for (int i = 0; i < m; i++) {
                System.arraycopy(c0, i * n, wideC, pad + i * (n + pad), n);
            }
            Gemm.multiply(m, wideA, pad, k + pad, 1, new PackedMatrix().pack(wideB, pad, k, n, n + pad, false), wideC, pad,
                    n + pad);
            c = new float[m * n];
            for (int i = 0; i < m; i++) {
                System.arraycopy(wideC, pad + i * (n + pad), c, i * n, n);
            }
            assertClose(expected, c, k, shape + " with offsets and padded rows");
        }
    }

    @Test
    void aPackedMatrixIsRepackedForEachNewSource() {
        PackedMatrix packed = new PackedMatrix();
        float[] first = {1, 2, 3, 4};       // [2×2]
        float[] second = {5, 6, 7, 8};
        float[] identity = {1, 0, 0, 1};
        float[] c = new float[4];
        Gemm.multiply(2, identity, 0, 2, 1, packed.pack(first, 0, 2, 2, 2, false), c, 0, 2);
        assertEquals(4f, c[3]);
        c = new float[4];
        Gemm.multiply(2, identity, 0, 2, 1, packed.pack(second, 0, 2, 2, 2, false), c, 0, 2);
        assertEquals(5f, c[0]);
        assertEquals(8f, c[3]);
    }

    private static void assertClose(double[] expected, float[] actual, int k, String what) {
        for (int i = 0; i < expected.length; i++) {
            // Float32 sums of k products of standard normals: rounding grows about as sqrt(k).
            double tolerance = 1e-5 * (1 + Math.abs(expected[i])) * Math.sqrt(k) * 4;
            assertTrue(Math.abs(expected[i] - actual[i]) <= tolerance,
                    what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
        }
    }
}
