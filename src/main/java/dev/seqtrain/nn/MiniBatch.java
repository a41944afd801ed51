package dev.seqtrain.nn;

/**
 * A batch of sequences padded to the same number of steps, stored time-major so that all samples of
 * one step are contiguous rows (what the per-step recurrent GEMM wants).
 *
 * <p>Sequence {@code b} is real for steps {@code 0 .. lengths[b]-1}; later steps are padding and
 * contribute nothing to the loss or to any gradient. Exactly one of {@code features} / {@code tokens}
 * is set, and exactly one of {@code classTargets} / {@code valueTargets} (or neither, for prediction).
 *
 * @param steps        T, the padded length
 * @param size         B, the number of sequences
 * @param inputSize    features per step (the vocabulary size for token input)
 * @param lengths      [B] real steps per sequence, each in 1..T
 * @param features     [T][B][inputSize] dense inputs, or null
 * @param tokens       [T][B] token ids, or null
 * @param classTargets many-to-many: [T][B]; many-to-one: [B]; or null
 * @param valueTargets many-to-many: [T][B][O]; many-to-one: [B][O]; or null
 */
public record MiniBatch(int steps, int size, int inputSize, int[] lengths, float[] features, int[] tokens,
                        int[] classTargets, float[] valueTargets) implements java.io.Serializable {

    public MiniBatch {
        if (steps < 1 || size < 1) {
            throw new IllegalArgumentException("empty batch: steps=" + steps + " size=" + size);
        }
        if (lengths.length != size) {
            throw new IllegalArgumentException("lengths has " + lengths.length + " entries for " + size + " sequences");
        }
        for (int len : lengths) {
            if (len < 1 || len > steps) {
                throw new IllegalArgumentException("sequence length " + len + " outside 1.." + steps);
            }
        }
        if ((features == null) == (tokens == null)) {
            throw new IllegalArgumentException("exactly one of features and tokens must be given");
        }
        if (features != null && features.length != (long) steps * size * inputSize) {
            throw new IllegalArgumentException("features has " + features.length + " values, expected "
                    + (long) steps * size * inputSize);
        }
        if (tokens != null && tokens.length != steps * size) {
            throw new IllegalArgumentException("tokens has " + tokens.length + " ids, expected " + steps * size);
        }
    }

    /** Number of real (unpadded) steps in the batch. */
    public long realSteps() {
        long n = 0;
        for (int len : lengths) {
            n += len;
        }
        return n;
    }

    public boolean categorical() {
        return tokens != null;
    }
}
