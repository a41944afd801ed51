package dev.seqtrain.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Locale;

/**
 * The vector width of our kernels: 16 floats (512 bits) where the CPU has AVX-512, else 8 (256 bits).
 *
 * <p>Why a width may differ between executors and the results may not: in {@link Gemm} the lanes of a
 * vector span output columns, so every output element is the same chain of fused multiply-adds over
 * the sum's terms, in the same order, at any width; the elementwise math ({@link Activations}, the
 * gate updates) is the same IEEE operations in every lane and in the scalar tails. So a run gives the
 * same bits on AVX2 and AVX-512 machines ({@code VectorWidthTest} checks it on both widths).
 *
 * <p>{@code -Dseqtrain.vectorBits=256|512} (or {@code SEQTRAIN_VECTOR_BITS}) overrides the choice, e.g.
 * to compare speeds; a width the CPU lacks still works, emulated, slowly.
 */
final class VectorWidth {
    static final VectorSpecies<Float> SPECIES = choose();

    private VectorWidth() {
    }

    private static VectorSpecies<Float> choose() {
        String wanted = System.getProperty("seqtrain.vectorBits", System.getenv().getOrDefault("SEQTRAIN_VECTOR_BITS", "auto"))
                .trim().toLowerCase(Locale.ROOT);
        return switch (wanted) {
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            case "auto" -> FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
            default -> throw new IllegalArgumentException("seqtrain.vectorBits must be 256, 512 or auto, not '" + wanted + "'");
        };
    }

    static String describe() {
        return SPECIES.vectorBitSize() + "-bit";
    }
}
