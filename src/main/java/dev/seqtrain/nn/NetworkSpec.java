package dev.seqtrain.nn;

/**
 * The architecture of a network: everything needed to lay out its parameters and run it.
 *
 * @param cell             recurrent cell of every layer
 * @param inputSize        features per step, or the vocabulary size when {@code categoricalInput}
 * @param categoricalInput inputs are token ids looked up in {@code weight_ih_l0} (never a one-hot product)
 * @param hidden           hidden units per layer
 * @param layers           stacked recurrent layers
 * @param outputSize       units of the dense output head
 * @param task             outputs at every real step or at the last real step only
 * @param loss             loss on the head
 * @param dropout          dropout probability between recurrent layers while training (0 = off)
 */
public record NetworkSpec(CellType cell, int inputSize, boolean categoricalInput, int hidden, int layers,
                          int outputSize, Task task, LossKind loss, float dropout) implements java.io.Serializable {

    /** Largest dimension accepted anywhere: keeps every parameter count far inside an int. */
    public static final int MAX_DIMENSION = 1 << 16;

    public NetworkSpec {
        requireRange("inputSize", inputSize, 1, MAX_DIMENSION);
        requireRange("hidden", hidden, 1, MAX_DIMENSION);
        requireRange("layers", layers, 1, 64);
        requireRange("outputSize", outputSize, 1, MAX_DIMENSION);
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (loss == LossKind.SOFTMAX_CROSS_ENTROPY && outputSize < 2) {
            throw new IllegalArgumentException("softmax cross-entropy needs at least 2 outputs, got " + outputSize);
        }
        long params = ParameterLayout.countParameters(cell, inputSize, hidden, layers, outputSize);
        if (params > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("network has " + params + " parameters, more than one float[] holds");
        }
    }

    private static void requireRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    /** Input width of recurrent layer {@code layer}. */
    public int layerInputSize(int layer) {
        return layer == 0 ? inputSize : hidden;
    }

    public NetworkSpec withDropout(float p) {
        return new NetworkSpec(cell, inputSize, categoricalInput, hidden, layers, outputSize, task, loss, p);
    }
}
