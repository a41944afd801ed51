package dev.seqtrain.io;

import dev.seqtrain.nn.NetworkSpec;

/** A network's architecture, its flat parameters and its data description: a model directory in memory. */
public record Model(NetworkSpec spec, float[] params, ModelInfo info) {
}
