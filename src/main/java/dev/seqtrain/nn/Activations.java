package dev.seqtrain.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised sigmoid and tanh, built on our own {@code exp}/{@code expm1} from IEEE-exact operations
 * only (add, multiply, fused multiply-add, divide, integer bit operations).
 *
 * <p>Why not the Vector API's {@code EXP} and {@code TANH}: compiled code runs them through Intel's
 * SVML while interpreted code (before the JIT warms up) computes them lane by lane with
 * {@link Math}; the two differ in the last bit, so a run's results would depend on when the JIT
 * kicked in, and two identical runs would not end with the same weights. Exact operations give the
 * same bits in every mode and on every CPU. Accuracy: a few ulps, well inside the 1e-5 agreement with
 * PyTorch the tests require.
 *
 * <p>The scalar versions (for the elements after the last full vector) are the same operations in the
 * same order, one lane at a time, so an element's value does not depend on whether it fell in a
 * vector or in the tail: that is what lets the vector width differ between executors.
 *
 * <p>Both run through one loop, {@link #activate}, which C2 always compiles on its own (its comment
 * says why that matters).
 */
public final class Activations {
    /** 16 lanes with AVX-512, else 8: the same bits either way ({@link VectorWidth}). */
    static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;
    static final int LANES = SPECIES.length();

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.428606765330187045e-06f;
    /** 1.5·2²³: adding it rounds a float to the nearest integer, which lands in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = 0x4B400000;
    /** exp's argument is clamped here so that 2ⁿ stays a normal float. */
    private static final float MAX_ARG = 88f;
    private static final float MIN_ARG = -87f;

    private Activations() {
    }

    /** {@code dst[dOff..dOff+n) = tanh(src[sOff..sOff+n))}. */
    public static void tanh(float[] src, int sOff, float[] dst, int dOff, int n) {
        activate(true, src, sOff, dst, dOff, n);
    }

    /** {@code dst[dOff..dOff+n) = sigmoid(src[sOff..sOff+n))}. */
    public static void sigmoid(float[] src, int sOff, float[] dst, int dOff, int n) {
        activate(false, src, sOff, dst, dOff, n);
    }

    /**
     * The loop behind both array versions. tanh(v) = e/(e + 2) with e = expm1(2v) (no cancellation
     * near 0); sigmoid(v) = 1/(e + 1) with e = exp(−v). Both exponentials: {@code x = n·ln2 + r} with
     * {@code |r| ≤ ln2/2}, {@code q = e^r − 1} by a degree-7 polynomial, then {@code e^x = 2ⁿ·q + 2ⁿ}
     * and {@code e^x − 1 = 2ⁿ·q + (2ⁿ − 1)}. The two functions differ only in constants, chosen so
     * that every operation is exact where they differ: x = v·2 or v·(−1) (exactly v + v and −v),
     * e = 2ⁿ·q + (2ⁿ − 1) or 2ⁿ·q + (2ⁿ − 0), and the quotient is fma(e, 1, 0) = e or fma(e, 0, 1) = 1
     * over e + 2 or e + 1; so each lane gives the bits of {@link #tanh(float)} or {@link #sigmoid(float)}.
     * (Constants, not {@code tanh ? a : b} on vectors: a vector merged from two branches is boxed by
     * C2 on Java 17, which ran this loop at half speed.)
     *
     * <p>One method with the polynomial written out, on purpose: its bytecode is then over C2's
     * {@code FreqInlineSize} (325 bytes; {@code InliningTest} checks it), so C2 never
     * inlines it into a cell step and always compiles it on its own, where one polynomial is well
     * within the node budget. Inlined into a cell step with the others, the graph passed C2's node
     * limits, and the Vector API calls that did not fit stayed calls into its Java fallback (15% of a
     * charlm-small step in one JVM, nothing in the next: it depended on which method C2 compiled first).
     */
    private static void activate(boolean tanh, float[] src, int sOff, float[] dst, int dOff, int n) {
        FloatVector inScale = FloatVector.broadcast(SPECIES, tanh ? 2f : -1f);
        FloatVector minusOne = FloatVector.broadcast(SPECIES, tanh ? 1f : 0f);
        FloatVector numeratorE = FloatVector.broadcast(SPECIES, tanh ? 1f : 0f);
        FloatVector numeratorOne = FloatVector.broadcast(SPECIES, tanh ? 0f : 1f);
        FloatVector denominator = FloatVector.broadcast(SPECIES, tanh ? 2f : 1f);
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector x = FloatVector.fromArray(SPECIES, src, sOff + i).mul(inScale).max(MIN_ARG).min(MAX_ARG);
            FloatVector t = x.mul(LOG2E).add(ROUNDER);
            FloatVector k = t.sub(ROUNDER);
            FloatVector r = k.mul(-LN2_LO).add(k.mul(-LN2_HI).add(x));
            FloatVector p = r.fma(1f / 5040, 1f / 720);
            p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 120));
            p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 24));
            p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 6));
            p = p.fma(r, FloatVector.broadcast(SPECIES, 0.5f));
            FloatVector q = p.mul(r).fma(r, r);
            FloatVector scale = t.reinterpretAsInts().sub(ROUNDER_BITS).add(127).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats();
            FloatVector e = scale.fma(q, scale.sub(minusOne));
            e.fma(numeratorE, numeratorOne).div(e.add(denominator)).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = tanh ? tanh(src[sOff + i]) : sigmoid(src[sOff + i]);
        }
    }

    public static float sigmoid(float x) {
        return 1f / (exp(-x, false) + 1f);
    }

    public static float tanh(float x) {
        float e = exp(x + x, true);
        return e / (e + 2f);
    }

    /** One lane of {@link #activate}'s exponential, operation for operation. */
    private static float exp(float x, boolean minusOne) {
        x = Math.min(Math.max(x, MIN_ARG), MAX_ARG);
        float t = x * LOG2E + ROUNDER;
        float n = t - ROUNDER;
        float r = n * -LN2_HI + x;
        r = n * -LN2_LO + r;
        float p = Math.fma(r, 1f / 5040, 1f / 720);
        p = Math.fma(p, r, 1f / 120);
        p = Math.fma(p, r, 1f / 24);
        p = Math.fma(p, r, 1f / 6);
        p = Math.fma(p, r, 0.5f);
        float q = Math.fma(p * r, r, r);
        int k = Float.floatToRawIntBits(t) - ROUNDER_BITS;
        float scale = Float.intBitsToFloat((k + 127) << 23);
        return minusOne ? Math.fma(scale, q, scale - 1f) : Math.fma(scale, q, scale);
    }
}
