package dev.seqtrain.train;

import dev.seqtrain.nn.Initializer;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.OptimizerState;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * Parameters and optimizer state: what the driver broadcasts at the start of a round; and, on the
 * driver only, the block momentum Δ ({@link BlockMomentum}; null when the run uses none), which is
 * checkpointed but never sent to the workers.
 */
public final class ModelState implements Serializable {
    private transient float[] params;
    private transient OptimizerState optimizer;
    private transient float[] blockDelta;

    public ModelState(float[] params, OptimizerState optimizer) {
        this(params, optimizer, null);
    }

    public ModelState(float[] params, OptimizerState optimizer, float[] blockDelta) {
        this.params = params;
        this.optimizer = optimizer;
        this.blockDelta = blockDelta;
    }

    public float[] blockDelta() {
        return blockDelta;
    }

    public float[] params() {
        return params;
    }

    public OptimizerState optimizer() {
        return optimizer;
    }

    /** Where every run starts: initialised weights (seeded by train.seed) and a fresh optimizer state. */
    static ModelState initial(NetworkSpec spec, TrainerSettings settings) {
        float[] params = Initializer.initialize(spec, Seeds.mix(settings.seed(), 4), settings.forgetBias());
        return new ModelState(params, settings.optimizer().newState(params.length));
    }

    public ModelState copy() {
        return new ModelState(params.clone(), optimizer.copy(), blockDelta == null ? null : blockDelta.clone());
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        FloatArrays.write(out, params);
        FloatArrays.write(out, optimizer.slots);
        out.writeLong(optimizer.step);
    }

    private void readObject(ObjectInputStream in) throws IOException {
        params = FloatArrays.read(in);
        float[][] slots = FloatArrays.readMatrix(in);
        optimizer = new OptimizerState(slots, in.readLong());
    }
}
