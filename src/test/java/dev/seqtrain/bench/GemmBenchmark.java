package dev.seqtrain.bench;

import dev.ludovic.netlib.blas.BLAS;
import dev.seqtrain.nn.Gemm;
import dev.seqtrain.nn.PackedMatrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The GEMM choice, measured: {@code C += A·B} on LSTM-sized shapes with our Vector API kernel
 * (packing paid where the training loop pays it: on the step shapes B, the recurrent weights, is packed
 * once per pass over a sequence, so here once, and A, the hidden state, is read where it is; on the
 * weight gradient both are packed in every call; the run forces {@code seqtrain.gemm=java}), the BLAS Spark ships
 * ({@code dev.ludovic.netlib}): native OpenBLAS if installed ("netlib-native" falls back to Java when
 * not) and its Java implementation, and a plain Java triple loop.
 * Shapes: per-step recurrent product of charlm-small (32 × 512 × 128) and wide-512
 * (64 × 2048 × 512), a weight gradient over all steps of charlm-small (512 × 128 × 1600) and of wide-512
 * (2048 × 512 × 3200), and the output layer of the character models (1600 × 65 × 128: 65 columns, so
 * a last panel one column wide).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmBenchmark {
    @Param({"32x512x128", "64x2048x512", "512x128x1600", "2048x512x3200", "1600x65x128"})
    public String shape;
    @Param({"seqtrain", "netlib-native", "netlib-java", "loops"})
    public String impl;

    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;
    private final PackedMatrix packedA = new PackedMatrix();
    private final PackedMatrix packedB = new PackedMatrix();
    /** Aᵀ, row-major: the layout the weight gradient's left operand (the gate gradients) has. */
    private float[] aT;
    private boolean weightGradient;
    private BLAS blas;
    private BLAS javaBlas;

    @Setup
    public void setUp() {
        String[] d = shape.split("x");
        m = Integer.parseInt(d[0]);
        n = Integer.parseInt(d[1]);
        k = Integer.parseInt(d[2]);
        SplittableRandom rng = new SplittableRandom(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rng.nextGaussian();
        }
        aT = new float[k * m];
        Gemm.transpose(m, k, a, 0, aT, 0);
        weightGradient = k >= 1000;   // a sum over every step of a batch: a weight gradient
        // The recurrent step reuses W_hh, packed once per pass over the sequence, at each of its steps.
        packedB.pack(b, 0, k, n, n, false);
        blas = BLAS.getInstance();
        javaBlas = dev.ludovic.netlib.blas.JavaBLAS.getInstance();
    }

    @Benchmark
    public float[] multiply() {
        switch (impl) {
            case "seqtrain" -> {
                if (weightGradient) {
                    // dW = dZᵀ · H over all steps: both operands packed in the call, as the loop does.
                    Gemm.multiplyPackedA(packedA.pack(aT, 0, k, m, m, false), packedB.pack(b, 0, k, n, n, false), c, 0, n);
                } else {
                    Gemm.multiply(m, a, 0, k, 1, packedB, c, 0, n);
                }
            }
            // Row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ.
            case "netlib-native" -> blas.sgemm("N", "N", n, m, k, 1f, b, n, a, k, 1f, c, n);
            case "netlib-java" -> javaBlas.sgemm("N", "N", n, m, k, 1f, b, n, a, k, 1f, c, n);
            default -> {
                for (int i = 0; i < m; i++) {
                    for (int p = 0; p < k; p++) {
                        float x = a[i * k + p];
                        for (int j = 0; j < n; j++) {
                            c[i * n + j] += x * b[p * n + j];
                        }
                    }
                }
            }
        }
        return c;
    }

    public static double flops(String shape) {
        String[] d = shape.split("x");
        return 2.0 * Long.parseLong(d[0]) * Long.parseLong(d[1]) * Long.parseLong(d[2]);
    }
}
