package dev.seqtrain.nn;

/** Where the network produces outputs: at every real step, or only at each sequence's last real step. */
public enum Task {
    MANY_TO_MANY("many-to-many"),
    MANY_TO_ONE("many-to-one");

    public final String id;

    Task(String id) {
        this.id = id;
    }

    public static Task parse(String s) {
        for (Task t : values()) {
            if (t.id.equalsIgnoreCase(s.trim())) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown task '" + s + "' (expected many-to-many or many-to-one)");
    }
}
