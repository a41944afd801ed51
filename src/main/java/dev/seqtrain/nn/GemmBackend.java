package dev.seqtrain.nn;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;

import java.util.Locale;

/**
 * Which code multiplies matrices: native BLAS through the {@code dev.ludovic.netlib} library Spark
 * ships (OpenBLAS, when the executor has it), or our own Vector API kernel.
 *
 * <p>Chosen by numbers (README, "Choosing the GEMM"): where native OpenBLAS is installed it ran 2–3×
 * faster than our kernel on this project's shapes; where it is not, netlib falls back to Java code
 * that ours beats. {@code auto} (the default) takes native BLAS when it loads. Set
 * {@code -Dseqtrain.gemm=java} (or {@code SEQTRAIN_GEMM=java}) to force our kernel on every machine:
 * results are byte-identical across runs and executors only when all use the same backend.
 * Native BLAS must run one thread per task: {@code OPENBLAS_NUM_THREADS=1} (scripts/seqtrain sets it;
 * on a cluster, {@code spark.executorEnv.OPENBLAS_NUM_THREADS=1}, which seqtrain sets unless you do).
 */
public final class GemmBackend {
    private static final BLAS NATIVE = choose();

    private GemmBackend() {
    }

    private static BLAS choose() {
        String wanted = System.getProperty("seqtrain.gemm", System.getenv().getOrDefault("SEQTRAIN_GEMM", "auto"))
                .toLowerCase(Locale.ROOT);
        if (wanted.equals("java")) {
            return null;
        }
        try {
            return NativeBLAS.getInstance();
        } catch (Throwable e) {
            if (wanted.equals("native")) {
                throw new IllegalStateException("seqtrain.gemm=native but no native BLAS loads: " + e.getMessage(), e);
            }
            return null;
        }
    }

    /** Native BLAS, or null when our Vector API kernel is in use. */
    static BLAS nativeBlas() {
        return NATIVE;
    }

    public static String describe() {
        return NATIVE == null ? "java-vector" : "native-blas";
    }
}
