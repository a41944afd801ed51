package dev.seqtrain.data;

/**
 * Numbers one split's examples in input order: training examples from the split's first training
 * ordinal, validation examples from its first validation ordinal through the validation sample (an
 * example left out of the sample gets no key).
 */
final class Ordinals {
    /** No key: the example is not in the validation sample. */
    static final long NONE = Long.MIN_VALUE;
    private final SparkDataset.ValidSample sample;
    private long train;
    private long valid;

    Ordinals(long trainBase, long validBase, SparkDataset.ValidSample sample) {
        this.train = trainBase;
        this.valid = validBase;
        this.sample = sample;
    }

    /** The key of the next example ({@link IndexedExamples}), or {@link #NONE}. */
    long next(boolean validation) {
        if (!validation) {
            return train++;
        }
        long v = sample.ordinal(valid++);
        return v < 0 ? NONE : IndexedExamples.validKey(v);
    }
}
