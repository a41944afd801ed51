package dev.seqtrain.nn;

/**
 * Learning rate as a function of the optimizer step: constant; step decay (multiply by {@code gamma}
 * every {@code stepSize} steps); or cosine annealing from the base rate to {@code minRate} over
 * {@code totalSteps}, then flat.
 */
public record LearningRateSchedule(Kind kind, float baseRate, long stepSize, float gamma, long totalSteps, float minRate) implements java.io.Serializable {
    public enum Kind { CONSTANT, STEP, COSINE }

    public LearningRateSchedule {
        if (!(baseRate > 0) || Float.isInfinite(baseRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + baseRate);
        }
    }

    public static LearningRateSchedule constant(float rate) {
        return new LearningRateSchedule(Kind.CONSTANT, rate, 1, 1f, 1, 0f);
    }

    /** Rate for the step about to be taken, counting from 0. */
    public float rate(long step) {
        return switch (kind) {
            case CONSTANT -> baseRate;
            case STEP -> (float) (baseRate * Math.pow(gamma, step / Math.max(1, stepSize)));
            case COSINE -> {
                double progress = Math.min(1.0, (double) step / Math.max(1, totalSteps));
                yield (float) (minRate + 0.5 * (baseRate - minRate) * (1 + Math.cos(Math.PI * progress)));
            }
        };
    }
}
