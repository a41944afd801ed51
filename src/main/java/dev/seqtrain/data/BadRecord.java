package dev.seqtrain.data;

import java.io.Serializable;

/**
 * A record a reader refused: where it is and what is wrong. {@code reason} is a short category
 * (e.g. {@code column-count}, {@code not-a-number}) used to count skipped records in the metrics.
 */
public record BadRecord(String reason, String message) implements Serializable {
}
