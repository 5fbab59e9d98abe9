package org.alexnet.train.data;

/** An example's bytes do not decode to an image; the training stream skips such examples. */
public final class CorruptImageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptImageException(String message) {
        super(message);
    }
}
