package dev.seqtrain.data;

import java.io.Serializable;

/**
 * One validated training or prediction example. Inputs are either dense ({@code features},
 * {@code [length × inputSize]} step-major) or token ids ({@code tokens}, {@code [length]}). Targets, when
 * present, are one of: a class per sequence ({@code label}), a class per step ({@code stepLabels}), or
 * values ({@code targets}: {@code [length × outputs]} per step, or {@code [outputs]} per sequence).
 *
 * <p>A plain record of arrays: cheap to cache in Spark and safe to serialize.
 */
public record SequenceExample(int length, float[] features, int[] tokens, int label, int[] stepLabels, float[] targets)
        implements Serializable {
    public static final int NO_LABEL = -1;

    public static SequenceExample dense(int length, float[] features) {
        return new SequenceExample(length, features, null, NO_LABEL, null, null);
    }

    public SequenceExample withLabel(int label) {
        return new SequenceExample(length, features, tokens, label, stepLabels, targets);
    }

    public SequenceExample withTargets(float[] targets) {
        return new SequenceExample(length, features, tokens, label, stepLabels, targets);
    }
}
