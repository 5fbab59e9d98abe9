package org.alexnet.train.averaging;

import java.util.Comparator;
import java.util.List;
import org.alexnet.train.ParameterState;

/**
 * A round's outcome on the driver: the example-weighted average of every worker's parameters and
 * momentum, every worker's statistics (in worker order) and where the averaging spent its time.
 */
public record AveragedRound(ParameterState state, List<WorkerStats> workers, ShardTimes shardTimes) {

    /**
     * Seconds of the averaging: the slowest reducer's receiving of its pieces (shuffle fetch and
     * decoding) and averaging of them, and the driver's decoding and placing of the averaged shards.
     */
    public record ShardTimes(double slowestFetchSeconds, double slowestAverageSeconds, double driverReceiveSeconds) {
    }

    public AveragedRound {
        workers = workers.stream().sorted(Comparator.comparingInt(WorkerStats::worker)).toList();
    }

    public long examples() {
        return workers.stream().mapToLong(WorkerStats::examples).sum();
    }

    public long minibatches() {
        return workers.stream().mapToLong(WorkerStats::minibatches).sum();
    }

    /** Mean training loss per example over the round. */
    public double meanLoss() {
        return workers.stream().mapToDouble(WorkerStats::lossSum).sum() / Math.max(1, examples());
    }

    /** Share of the workers' time spent waiting for input, in [0, 1]. */
    public double dataWaitShare() {
        double wait = workers.stream().mapToDouble(WorkerStats::dataWaitSeconds).sum();
        double total = wait + workers.stream().mapToDouble(WorkerStats::computeSeconds).sum();
        return total == 0 ? 0 : wait / total;
    }

    /** The longest time any worker spent in its training loop this round. */
    public double slowestWorkerSeconds() {
        return workers.stream().mapToDouble(WorkerStats::trainingSeconds).max().orElse(0);
    }

    /** True when any worker saw a NaN or infinite loss. */
    public boolean nonFinite() {
        return workers.stream().anyMatch(w -> !Double.isFinite(w.lossSum()));
    }
}
