package org.alexnet.preprocessing;

/** An input file that cannot become a training image; the message is the reason recorded in rejected/. */
public final class RejectedImageException extends RuntimeException {
    public RejectedImageException(String reason) {
        super(reason, null, false, false);   // expected per bad file: no stack trace
    }
}
