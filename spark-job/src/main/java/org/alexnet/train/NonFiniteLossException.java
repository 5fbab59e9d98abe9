package org.alexnet.train;

/** Training produced a NaN or infinite loss; the job stops and the last good checkpoint stays. */
public final class NonFiniteLossException extends RuntimeException {
    NonFiniteLossException(int epoch, int round, int rounds) {
        super("the training loss became NaN or infinite in epoch " + epoch + ", round " + round + "/" + rounds
                + "; stopping. The last good checkpoint is kept: lower model.learning-rate and use --resume");
    }
}
