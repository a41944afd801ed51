package dev.seqtrain.data;

import java.io.Serializable;

/**
 * A sequence as read from a CSV file, before its targets are interpreted for a task.
 *
 * @param features    {@code [length × inputSize]} step-major
 * @param stepTargets {@code [length × targetWidth]} per-step y columns, or null
 * @param label       the per-sequence label text, or null
 */
public record RawSequence(String id, int length, int inputSize, float[] features, float[] stepTargets, int targetWidth,
                          String label) implements Serializable {
}
