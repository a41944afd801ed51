package dev.seqtrain.train;

/**
 * How the learning rate grows with the number of workers. Averaging P workers' updates shrinks the
 * step the model takes (each worker's drift is divided by P where it disagrees with the others);
 * scaling the rate back up is the usual remedy, linearly (Goyal et al., for synchronous SGD) or by
 * √P (the variance argument, gentler for Adam).
 */
public enum LearningRateScaling {
    NONE, LINEAR, SQRT;

    public static LearningRateScaling parse(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }

    /** The factor for {@code workers} partitions. */
    public double factor(int workers) {
        return switch (this) {
            case NONE -> 1;
            case LINEAR -> workers;
            case SQRT -> Math.sqrt(workers);
        };
    }
}
