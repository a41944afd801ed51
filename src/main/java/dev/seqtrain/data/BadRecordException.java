package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;

/**
 * One malformed record (a CSV line or sequence, a table row), as opposed to a malformed file. It
 * carries its category, so a reader that skips bad records counts them by what the thrower knew,
 * not by what its message happens to say.
 */
public final class BadRecordException extends BadInputException {
    public static final String COLUMN_COUNT = "column-count";
    public static final String NOT_A_NUMBER = "not-a-number";
    public static final String NOT_FINITE = "not-finite";
    public static final String STEPS = "steps-not-0..T-1";
    public static final String TOO_LONG = "too-long";
    public static final String LINE_TOO_LONG = "line-too-long";
    public static final String EMPTY = "empty";
    public static final String LABEL = "label";
    public static final String NULL = "null";
    public static final String RAGGED = "ragged";
    public static final String SHAPE = "shape";
    public static final String ID = "id";

    private final String reason;

    public BadRecordException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    /** The record a skipping reader keeps of a refusal: its category ("other" for a non-record error) and message. */
    static BadRecord recordOf(BadInputException e) {
        return new BadRecord(e instanceof BadRecordException r ? r.reason() : "other", e.getMessage());
    }
}
