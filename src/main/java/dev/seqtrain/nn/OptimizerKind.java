package dev.seqtrain.nn;

/** The update rules seqtrain offers; each keeps its state in flat arrays shaped like the parameters. */
public enum OptimizerKind {
    SGD("sgd", 1),
    ADAM("adam", 2),
    RMSPROP("rmsprop", 1);

    public final String id;
    /** Parameter-sized state arrays: momentum; Adam's first and second moments; RMSProp's mean square. */
    public final int stateSlots;

    OptimizerKind(String id, int stateSlots) {
        this.id = id;
        this.stateSlots = stateSlots;
    }

    public static OptimizerKind parse(String s) {
        for (OptimizerKind k : values()) {
            if (k.id.equalsIgnoreCase(s.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown optimizer '" + s + "' (expected sgd, adam or rmsprop)");
    }
}
