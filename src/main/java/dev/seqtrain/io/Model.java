package dev.seqtrain.io;

import dev.seqtrain.nn.NetworkSpec;

/** A network's architecture, its flat parameters and its data description: a model directory in memory. */
/** Serializable so Spark ML can broadcast it to executors (files are never read this way: see ModelDirectory). */
public record Model(NetworkSpec spec, float[] params, ModelInfo info) implements java.io.Serializable {
}
