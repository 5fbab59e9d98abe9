package org.alexnet.train.averaging;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * One worker's piece of one shard: its trained parameters and momentum over the shard's range
 * (on the worker, views of its model's vectors; after the shuffle, the bytes read), with its
 * statistics (the reducer weights the piece by the worker's examples). A worker that
 * trained nothing sends only an empty piece of shard 0, to report its statistics.
 */
public record StatePiece(int shard, WorkerStats stats, FlatArray params, FlatArray momentum) {

    public StatePiece {
        if (params.length() != momentum.length()) {
            throw new IllegalArgumentException("a piece has as many momentum values as parameters");
        }
    }

    void write(DataOutputStream out, byte[] chunk) throws IOException {
        out.writeInt(shard);
        stats.write(out);
        out.writeInt(params.valueBytes());
        out.writeInt(params.length());
        params.write(out, chunk);
        momentum.write(out, chunk);
    }

    static StatePiece read(DataInputStream in) throws IOException {
        int shard = in.readInt();
        WorkerStats stats = WorkerStats.read(in);
        int valueBytes = in.readInt();
        int length = in.readInt();
        FlatArray p = FlatArray.read(in, valueBytes, length);
        return new StatePiece(shard, stats, p, FlatArray.read(in, valueBytes, length));
    }
}
