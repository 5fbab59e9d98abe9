package org.alexnet.train.averaging;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A reducer's result: the example-weighted average of every worker's piece of one shard, the
 * examples it was weighted over, (from shard 0's reducer) every worker's statistics, and the
 * reducer's seconds spent receiving the pieces (shuffle fetch and decoding) and averaging them.
 * It travels to the driver as one byte array (a header, then the raw little-endian values), so
 * it needs nothing of the job's {@code spark.serializer}; the reducer writes the averages
 * straight into that array ({@link #encode}) and the driver reads views of it ({@link #decode}).
 */
public record AveragedShard(int shard, long examples, FlatArray params, FlatArray momentum, List<WorkerStats> workers,
                            double fetchSeconds, double averageSeconds) {
    private static final int WORKER_BYTES = 4 + 8 + 8 + 8 + 8 + 8;

    /**
     * The encoded shard: the header, then {@code length} parameter and {@code length} momentum
     * values of {@code valueBytes} (4 or 8) bytes each, which {@code averages} writes into the two
     * views it is given; the seconds it takes are recorded as the shard's averaging time.
     */
    static byte[] encode(int shard, long examples, List<WorkerStats> workers, double fetchSeconds, int valueBytes,
                         int length, java.util.function.BiConsumer<FlatArray, FlatArray> averages) {
        int header = 4 + 8 + 8 + 8 + 4 + WORKER_BYTES * workers.size() + 4 + 4;
        byte[] encoded = new byte[Math.addExact(header, Math.multiplyExact(2 * valueBytes, length))];
        ByteBuffer out = ByteBuffer.wrap(encoded);
        out.putInt(shard).putLong(examples).putDouble(fetchSeconds);
        int averageAt = out.position();
        out.putDouble(0).putInt(workers.size());
        for (WorkerStats w : workers) {
            out.putInt(w.worker()).putLong(w.examples()).putLong(w.minibatches()).putDouble(w.lossSum())
                    .putDouble(w.dataWaitSeconds()).putDouble(w.computeSeconds());
        }
        out.putInt(valueBytes).putInt(length);
        long t0 = System.nanoTime();
        if (length > 0) {
            averages.accept(FlatArray.wrap(encoded, header, valueBytes, length),
                    FlatArray.wrap(encoded, header + valueBytes * length, valueBytes, length));
        }
        out.putDouble(averageAt, (System.nanoTime() - t0) / 1e9);
        return encoded;
    }

    /** The shard an encoded array holds; its values are views of the array. */
    static AveragedShard decode(byte[] encoded) {
        return decode(ByteBuffer.wrap(encoded));
    }

    /** The shard encoded in {@code encoded}'s remaining bytes; its values are views of them. */
    static AveragedShard decode(ByteBuffer encoded) {
        ByteBuffer in = encoded.slice();
        int shard = in.getInt();
        long examples = in.getLong();
        double fetch = in.getDouble();
        double average = in.getDouble();
        int n = in.getInt();
        List<WorkerStats> workers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            workers.add(new WorkerStats(in.getInt(), in.getLong(), in.getLong(), in.getDouble(), in.getDouble(),
                    in.getDouble()));
        }
        int valueBytes = in.getInt();
        int length = in.getInt();
        int at = in.position();
        if (in.limit() != at + 2L * valueBytes * length) {
            throw new IllegalStateException("a corrupt averaged shard reached the driver: " + in.limit()
                    + " bytes for " + length + " values of " + valueBytes + " bytes");
        }
        return new AveragedShard(shard, examples, FlatArray.wrap(in, at, valueBytes, length),
                FlatArray.wrap(in, at + valueBytes * length, valueBytes, length), workers, fetch, average);
    }
}
