package org.alexnet.train.averaging;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * What one worker reports of its part of a round besides its state: how many examples and
 * minibatches it trained, its summed loss, and its time split between waiting for input and
 * computing (their sum is its training time, which the round overhead is measured against).
 */
public record WorkerStats(int worker, long examples, long minibatches, double lossSum, double dataWaitSeconds,
                          double computeSeconds) {

    /** Seconds the worker spent in its training loop. */
    public double trainingSeconds() {
        return dataWaitSeconds + computeSeconds;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(worker);
        out.writeLong(examples);
        out.writeLong(minibatches);
        out.writeDouble(lossSum);
        out.writeDouble(dataWaitSeconds);
        out.writeDouble(computeSeconds);
    }

    static WorkerStats read(DataInputStream in) throws IOException {
        return new WorkerStats(in.readInt(), in.readLong(), in.readLong(), in.readDouble(), in.readDouble(),
                in.readDouble());
    }
}
