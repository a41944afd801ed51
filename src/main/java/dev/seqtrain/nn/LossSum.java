package dev.seqtrain.nn;

/**
 * Loss summed over output positions, with the counts needed to average it and weight it across
 * batches and workers.
 *
 * @param sum       Σ loss over positions
 * @param positions number of output positions (real steps for many-to-many, sequences for many-to-one)
 * @param correct   positions whose arg-max matched the class target (classification losses only)
 */
public record LossSum(double sum, long positions, long correct) implements java.io.Serializable {
    public static final LossSum ZERO = new LossSum(0, 0, 0);

    public LossSum plus(LossSum o) {
        return new LossSum(sum + o.sum, positions + o.positions, correct + o.correct);
    }

    public double mean() {
        return positions == 0 ? Double.NaN : sum / positions;
    }

    public double accuracy() {
        return positions == 0 ? Double.NaN : (double) correct / positions;
    }
}
