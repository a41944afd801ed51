package dev.seqtrain.train;

/** The loss or a parameter became NaN or infinite; the message names the epoch and round. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
