package org.alexnet.train.data;

/** The input pipeline failed; the message names the example (its key) when one was at fault. */
public final class PipelineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PipelineException(String message, Throwable cause) {
        super(message, cause);
    }
}
