package dev.seqtrain.nn;

/**
 * An optimizer's state: parameter-sized arrays (momentum, moments, mean squares) and the number of
 * steps taken. Being flat arrays, it can be averaged across workers and written to checkpoints like
 * the parameters themselves.
 */
public final class OptimizerState implements java.io.Serializable {
    public final float[][] slots;
    public long step;

    public OptimizerState(OptimizerKind kind, int parameters) {
        this.slots = new float[kind.stateSlots][parameters];
    }

    public OptimizerState(float[][] slots, long step) {
        this.slots = slots;
        this.step = step;
    }

    public OptimizerState copy() {
        float[][] s = new float[slots.length][];
        for (int i = 0; i < s.length; i++) {
            s[i] = slots[i].clone();
        }
        return new OptimizerState(s, step);
    }

    public void reset() {
        for (float[] s : slots) {
            java.util.Arrays.fill(s, 0f);
        }
        step = 0;
    }
}
