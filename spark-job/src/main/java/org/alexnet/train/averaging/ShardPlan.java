package org.alexnet.train.averaging;

/**
 * How a model state is cut for averaging: {@code shards} contiguous ranges of the flat parameter
 * vector (and the same ranges of the momentum). Each worker sends one piece per shard; the
 * shard's reducer holds every worker's piece of it at once, so a piece must stay small.
 *
 * <p>The automatic rule ({@link #auto}) makes the W pieces of one shard weigh at most
 * {@link #REDUCER_BYTES} together (shards = W x state bytes / 256 MiB, rounded up) and uses at
 * least W shards, so every executor sums a share of the model. The reducer's memory is then
 * bounded whatever W is (at most 256 MiB, about half the full model's state), and the driver
 * receives the shards of ONE averaged state. Bigger shards would hold more memory per reducer;
 * smaller ones would multiply the shuffle's blocks (W x shards) and the reduce tasks. Full
 * AlexNet (488 MB of parameters and momentum): 4 shards at W = 2, 15 at 8, 117 at 64.
 *
 * @param size   values per vector (parameters; momentum has as many)
 * @param shards number of shards, 1..size
 */
public record ShardPlan(int size, int shards) implements java.io.Serializable {
    /** Bytes of all workers' pieces of one shard together, the reducer's working set. */
    public static final long REDUCER_BYTES = 256L << 20;

    public ShardPlan {
        if (size < 1 || shards < 1 || shards > size) {
            throw new IllegalArgumentException("cannot cut " + size + " values into " + shards + " shards");
        }
    }

    /**
     * The plan for {@code workers} workers: {@code configured} shards when > 0, else the automatic
     * rule above. {@code valueBytes} is 4 (float) or 8 (double).
     */
    public static ShardPlan auto(int size, int valueBytes, int workers, int configured) {
        if (configured > 0) {
            return new ShardPlan(size, Math.min(configured, size));
        }
        long stateBytes = 2L * size * valueBytes;
        long byMemory = (workers * stateBytes + REDUCER_BYTES - 1) / REDUCER_BYTES;
        return new ShardPlan(size, (int) Math.min(size, Math.max(workers, byMemory)));
    }

    /** First value of shard {@code s}. */
    public int from(int s) {
        return (int) ((long) s * size / shards);
    }

    /** One past the last value of shard {@code s}. */
    public int to(int s) {
        return from(s + 1);
    }
}
