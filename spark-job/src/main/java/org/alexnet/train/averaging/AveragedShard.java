package org.alexnet.train.averaging;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A reducer's result: the example-weighted average of every worker's piece of one shard, the
 * examples it was weighted over, (from shard 0's reducer) every worker's statistics, and the
 * reducer's seconds spent receiving the pieces (shuffle fetch and decoding) and averaging them. It
 * travels to the driver as a byte array in the same raw format as the shuffle, so it needs
 * nothing of the job's {@code spark.serializer}.
 */
public record AveragedShard(int shard, long examples, FlatArray params, FlatArray momentum, List<WorkerStats> workers,
                            double fetchSeconds, double averageSeconds) {

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 2 * params.length() * params.valueBytes()
                + 48 * workers.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(shard);
            out.writeLong(examples);
            out.writeDouble(fetchSeconds);
            out.writeDouble(averageSeconds);
            out.writeInt(workers.size());
            for (WorkerStats w : workers) {
                w.write(out);
            }
            out.writeInt(params.valueBytes());
            out.writeInt(params.length());
            byte[] chunk = FlatArray.newChunk();
            params.write(out, chunk);
            momentum.write(out, chunk);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static AveragedShard decode(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            int shard = in.readInt();
            long examples = in.readLong();
            double fetch = in.readDouble();
            double average = in.readDouble();
            int n = in.readInt();
            List<WorkerStats> workers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                workers.add(WorkerStats.read(in));
            }
            int valueBytes = in.readInt();
            int length = in.readInt();
            byte[] chunk = FlatArray.newChunk();
            FlatArray p = FlatArray.read(in, valueBytes, length, chunk);
            return new AveragedShard(shard, examples, p, FlatArray.read(in, valueBytes, length, chunk), workers, fetch,
                    average);
        } catch (IOException e) {
            throw new UncheckedIOException("a corrupt averaged shard reached the driver", e);
        }
    }
}
