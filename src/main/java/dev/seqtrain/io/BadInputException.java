package dev.seqtrain.io;

/**
 * Input that seqtrain refuses: a file, record or setting that is malformed. The message is one line
 * a person can act on, naming the file (and line or record) and what is wrong; the command line
 * prints it without a stack trace and exits non-zero.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
