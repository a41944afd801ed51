package dev.seqtrain.train;

import dev.seqtrain.nn.OptimizerState;

import java.io.Serializable;

/** Parameters and optimizer state: what the driver broadcasts at the start of a round. */
public record ModelState(float[] params, OptimizerState optimizer) implements Serializable {
    public ModelState copy() {
        return new ModelState(params.clone(), optimizer.copy());
    }
}
