package dev.seqtrain.nn;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Prints, one line each, digests of everything our vector kernels compute: products of awkward shapes
 * (rows and columns that leave partial register blocks and panels, sums longer than one K block, both
 * operand layouts), the activations over every tail length, and a few optimizer steps of every cell
 * and loss with hidden sizes that are and are not multiples of 8 and 16. {@link VectorWidthTest} runs
 * it in JVMs with different vector widths and compares the lines.
 */
public final class WidthProbe {
    public static void main(String[] args) throws Exception {
        // "quick": the cases small enough for an interpreted JVM (the Vector API runs lane by lane there).
        boolean quick = args.length > 0 && args[0].equals("quick");
        System.out.println("width " + VectorWidth.describe() + " gemm " + GemmBackend.describe());
        int[][] shapes = {{1, 1, 1}, {7, 9, 3}, {8, 16, 17}, {9, 33, 300}, {37, 45, 513}, {32, 512, 128}, {16, 40, 257},
                // More rows than a step product, against narrow outputs (A read in place there too).
                {200, 65, 130}, {300, 20, 300}};
        for (int[] s : shapes) {
            if (quick && s[0] * s[1] * s[2] > 100_000) {
                continue;
            }
            int m = s[0], n = s[1], k = s[2];
            SplittableRandom rng = new SplittableRandom(m * 1_000_003L + n * 1009L + k);
            float[] a = random(rng, m * k);
            float[] b = random(rng, k * n);
            float[] c = random(rng, m * n);
            float[] c2 = c.clone();
            float[] c3 = c.clone();
            Gemm.multiply(m, a, 0, k, 1, new PackedMatrix().pack(b, 0, k, n, n, false), c, 0, n);
            // The same product with A given column-major and B as the transpose of a row-major matrix.
            float[] at = new float[k * m];
            Gemm.transpose(m, k, a, 0, at, 0);
            float[] bt = new float[n * k];
            Gemm.transpose(k, n, b, 0, bt, 0);
            Gemm.multiply(m, at, 0, 1, m, new PackedMatrix().pack(bt, 0, k, n, k, true), c2, 0, n);
            Gemm.multiplyPackedA(new PackedMatrix().pack(at, 0, k, m, m, false), new PackedMatrix().pack(b, 0, k, n, n, false),
                    c3, 0, n);
            System.out.println("gemm " + m + "x" + n + "x" + k + " " + digest(c) + " " + digest(c2) + " " + digest(c3));
        }
        SplittableRandom rng = new SplittableRandom(3);
        for (int n = 1; n <= 70; n += 3) {
            float[] x = random(rng, n);
            for (int i = 0; i < n; i++) {
                x[i] *= 6f;
            }
            float[] y = new float[n];
            Activations.tanh(x, 0, y, 0, n);
            System.out.println("tanh " + n + " " + digest(y));
        }
        for (CellType cell : CellType.values()) {
            for (LossKind loss : quick ? new LossKind[]{LossKind.SOFTMAX_CROSS_ENTROPY} : LossKind.values()) {
                for (int hidden : quick ? new int[]{11, 24} : new int[]{11, 16, 24, 40}) {
                    Task task = loss == LossKind.MEAN_SQUARED_ERROR ? Task.MANY_TO_ONE : Task.MANY_TO_MANY;
                    NetworkSpec spec = new NetworkSpec(cell, 6, loss == LossKind.SOFTMAX_CROSS_ENTROPY, hidden, 2, 5,
                            task, loss, 0f);
                    System.out.println(cell + " " + loss + " h=" + hidden + " " + train(spec));
                }
            }
        }
    }

    /** Four Adam steps on one padded batch; the digest of the parameters and the last loss. */
    private static String train(NetworkSpec spec) throws Exception {
        MiniBatch mb = TestBatches.random(spec, 9, 5, true, 11);
        float[] params = Initializer.initialize(spec, 5, 1f);
        Network net = new Network(spec);
        Optimizer adam = Optimizer.defaults(OptimizerKind.ADAM);
        OptimizerState state = adam.newState(params.length);
        double last = 0;
        for (int step = 0; step < 4; step++) {
            float[] grads = new float[params.length];
            RecurrentState s = new RecurrentState(spec.layers(), mb.size(), spec.hidden());
            last = net.forwardBackward(params, grads, mb, 0, mb.steps(), s, null).sum();
            Optimizer.clipGlobalNorm(grads, 1.0);
            adam.step(params, grads, state, 0.01f);
        }
        return digest(params) + " " + Double.toHexString(last);
    }

    /** Standard normal floats (shared with {@code GemmTest}). */
    static float[] random(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    private static String digest(float[] x) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(x.length * 4);
        for (float v : x) {
            buf.putInt(Float.floatToRawIntBits(v));
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(buf.array()), 0, 8);
    }
}
