package dev.seqtrain.nn;

/**
 * Learning rate as a function of the optimizer step: constant; step decay (multiply by {@code gamma}
 * every {@code stepSize} steps); or cosine annealing from the base rate to {@code minRate} over
 * {@code totalSteps}, then flat. Optionally times a linear warm-up over the first {@code warmupSteps}
 * steps, from {@code warmupFrom} (a fraction) to 1.
 */
public record LearningRateSchedule(Kind kind, float baseRate, long stepSize, float gamma, long totalSteps, float minRate,
                                   long warmupSteps, float warmupFrom) implements java.io.Serializable {
    public enum Kind { CONSTANT, STEP, COSINE }

    public LearningRateSchedule(Kind kind, float baseRate, long stepSize, float gamma, long totalSteps, float minRate) {
        this(kind, baseRate, stepSize, gamma, totalSteps, minRate, 0, 1f);
    }

    /** The same schedule with every rate multiplied by {@code factor}. */
    public LearningRateSchedule scaled(double factor) {
        return new LearningRateSchedule(kind, (float) (baseRate * factor), stepSize, gamma, totalSteps, (float) (minRate * factor),
                warmupSteps, warmupFrom);
    }

    public LearningRateSchedule withWarmup(long steps, float from) {
        return new LearningRateSchedule(kind, baseRate, stepSize, gamma, totalSteps, minRate, steps, from);
    }

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
        float rate = scheduled(step);
        if (step >= warmupSteps) {
            return rate;
        }
        return (float) (rate * (warmupFrom + (1 - warmupFrom) * (double) step / warmupSteps));
    }

    private float scheduled(long step) {
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
