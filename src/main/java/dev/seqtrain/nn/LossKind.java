package dev.seqtrain.nn;

/** The loss on the output head; it also decides how outputs are turned into predictions. */
public enum LossKind {
    /** Softmax over the outputs, cross-entropy against one class id. Predictions are probabilities. */
    SOFTMAX_CROSS_ENTROPY("softmax-ce"),
    /** Independent sigmoid per output, binary cross-entropy summed over outputs (multi-hot targets). */
    SIGMOID_BINARY_CROSS_ENTROPY("sigmoid-bce"),
    /** Mean squared error, averaged over outputs. Predictions are the raw outputs. */
    MEAN_SQUARED_ERROR("mse");

    public final String id;

    LossKind(String id) {
        this.id = id;
    }

    /** True when targets are class ids rather than float vectors. */
    public boolean classTargets() {
        return this == SOFTMAX_CROSS_ENTROPY;
    }

    public static LossKind parse(String s) {
        for (LossKind k : values()) {
            if (k.id.equalsIgnoreCase(s.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + s + "' (expected softmax-ce, sigmoid-bce or mse)");
    }
}
