package org.alexnet.preprocessing;

/** The job ran but its result is not acceptable (e.g. too many rejected files); nothing was published. */
public final class PreprocessFailedException extends RuntimeException {
    public PreprocessFailedException(String message) {
        super(message);
    }
}
