package dev.seqtrain.train;

import java.io.Serializable;

/**
 * Block momentum over the averaged updates: blockwise model-update filtering (BMUF, Chen &amp; Huo,
 * ICASSP 2016) and SlowMo (Wang et al., ICLR 2020).
 *
 * <p>Why: plain averaging divides each worker's progress by the number of workers wherever they
 * disagree, so the model moves less per round as workers grow (README, "Accuracy and workers"). BMUF
 * treats a round's {@code average − weights the round started from} as one block update {@code G}
 * and filters it like a gradient with momentum:
 * <pre>
 *   Δ(t) = ζ·Δ(t−1) + η·G(t)        W(t) = W(t−1) + Δ(t)
 * </pre>
 * with block momentum ζ (typically {@code 1 − 1/workers}) and block learning rate η. With Nesterov
 * look-ahead the workers start the next round from {@code W(t) + ζ·Δ(t)} instead of {@code W(t)}; the
 * model that is validated and saved is always {@code W(t)}. The driver alone holds Δ (it is not
 * broadcast) and checkpoints it with the optimizer state.
 *
 * <p>ζ = 0 with η = 1 is plain averaging; it is computed as exactly that (the average itself, not
 * {@code W + (average − W)}, which rounds differently), so such a run is bit for bit today's.
 */
public record BlockMomentum(float momentum, float learningRate, boolean nesterov) implements Serializable {
    public static final BlockMomentum NONE = new BlockMomentum(0f, 1f, false);

    public BlockMomentum {
        if (!Float.isNaN(momentum) && !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("block momentum must be in [0, 1), got " + momentum);
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("block learning rate must be positive, got " + learningRate);
        }
    }

    /** Momentum "auto": {@link #resolve} sets it once the number of workers is known. */
    public static BlockMomentum auto(float learningRate, boolean nesterov) {
        return new BlockMomentum(Float.NaN, learningRate, nesterov);
    }

    /** With momentum "auto", the BMUF paper's {@code 1 − 1/workers} (0 for one worker); else this. */
    public BlockMomentum resolve(int workers) {
        if (!Float.isNaN(momentum)) {
            return this;
        }
        return new BlockMomentum(workers <= 1 ? 0f : 1f - 1f / workers, learningRate, nesterov);
    }

    /** Plain averaging (also "auto" on one worker: there the average is the worker's own model). */
    public boolean isPlainAveraging() {
        return momentum == 0f && learningRate == 1f;
    }

    /** The weights the workers start a round from: {@code W + ζ·Δ} with Nesterov look-ahead, else {@code W}. */
    public float[] roundStart(float[] weights, float[] delta) {
        if (!nesterov || delta == null || momentum == 0f) {
            return weights;
        }
        float[] start = new float[weights.length];
        for (int i = 0; i < start.length; i++) {
            start[i] = weights[i] + momentum * delta[i];
        }
        return start;
    }

    /**
     * One block update. {@code weights} is W(t−1), {@code start} the weights the round began from,
     * {@code average} the workers' average, {@code delta} Δ(t−1) (null = zero), updated in place into
     * Δ(t) when not null. Returns W(t).
     */
    public float[] apply(float[] weights, float[] start, float[] average, float[] delta) {
        if (isPlainAveraging()) {
            return average;
        }
        float[] next = new float[weights.length];
        for (int i = 0; i < next.length; i++) {
            float d = momentum * delta[i] + learningRate * (average[i] - start[i]);
            delta[i] = d;
            next[i] = weights[i] + d;
        }
        return next;
    }
}
