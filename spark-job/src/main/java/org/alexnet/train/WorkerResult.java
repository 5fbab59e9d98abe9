package org.alexnet.train;

import java.io.Serializable;

/**
 * What one worker returns from a round: its parameters and momentum after training, how many
 * examples and minibatches it trained on, its summed loss and its time split.
 */
public record WorkerResult(int worker, ParameterState state, long examples, long minibatches, double lossSum,
                           double dataWaitSeconds, double computeSeconds) implements Serializable {
}
