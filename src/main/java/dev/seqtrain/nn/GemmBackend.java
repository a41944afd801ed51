package dev.seqtrain.nn;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;

import java.util.Locale;

/**
 * Which code multiplies matrices: native BLAS through the {@code dev.ludovic.netlib} library Spark
 * ships (OpenBLAS, when the executor has it), or our own Vector API kernel.
 *
 * <p>Chosen by a rule from measurements (README, "Choosing the GEMM"): on CPUs with AVX-512 our 16-lane
 * kernel beat one-thread OpenBLAS on the per-step products (batch rows against the recurrent weights)
 * and lost on the large whole-sequence ones, so there {@code auto} (the default) splits them by the
 * number of rows ({@link #STEP_ROWS}); without AVX-512 {@code auto} takes native BLAS when it loads
 * (netlib's own Java fallback is slower than ours). A rule rather than a timing at start-up, so that
 * every executor of one kind chooses the same way on every run (a resume on another choice is
 * refused: checkpoints record it). Set
 * {@code -Dseqtrain.gemm=java} (or {@code SEQTRAIN_GEMM=java}) to force our kernel on every machine:
 * results are byte-identical across runs and executors only when all use the same backend.
 * Native BLAS must run one thread per task: {@code OPENBLAS_NUM_THREADS=1} (scripts/seqtrain sets it;
 * on a cluster, {@code spark.executorEnv.OPENBLAS_NUM_THREADS=1}, which seqtrain sets unless you do).
 */
public final class GemmBackend {
    /**
     * Products with at most this many rows of C are the per-time-step ones (a minibatch of hidden
     * states against the recurrent weights); larger ones are whole-sequence products (input
     * projections, weight gradients, the output layer).
     */
    static final int STEP_ROWS = 128;
    private static final BLAS NATIVE;
    /** With AVX-512 and native BLAS: our kernel for the step products, native BLAS for the rest. */
    private static final boolean HYBRID;

    static {
        String wanted = System.getProperty("seqtrain.gemm", System.getenv().getOrDefault("SEQTRAIN_GEMM", "auto"))
                .toLowerCase(Locale.ROOT);
        BLAS loaded = wanted.equals("java") ? null : load(wanted.equals("native"));
        NATIVE = loaded;
        // The documented rule (README, "Choosing the GEMM"): with AVX-512 our 16-lane kernel measured
        // faster than one-thread OpenBLAS on the step products and slower on the large ones.
        HYBRID = loaded != null && wanted.equals("auto") && VectorWidth.SPECIES.vectorBitSize() >= 512;
    }

    private GemmBackend() {
    }

    private static BLAS load(boolean required) {
        String library = System.getProperty("dev.ludovic.netlib.blas.nativeLib", "libblas.so.3");
        if (!required && System.getProperty("dev.ludovic.netlib.blas.nativeLibPath") == null && !SystemLibraries.mayLoad(library)) {
            return null;   // no native BLAS on this machine: do not let netlib try (and print its dlopen failure)
        }
        try {
            return NativeBLAS.getInstance();
        } catch (Throwable e) {
            if (required) {
                throw new IllegalStateException("seqtrain.gemm=native but no native BLAS loads: " + e.getMessage(), e);
            }
            return null;
        }
    }

    /** Native BLAS for a product with {@code rows} rows of C, or null when our Vector API kernel computes it. */
    static BLAS nativeFor(int rows) {
        return HYBRID && rows <= STEP_ROWS ? null : NATIVE;
    }

    public static String describe() {
        return NATIVE == null ? "java-vector" : HYBRID ? "native-blas+java-vector-steps" : "native-blas";
    }
}
