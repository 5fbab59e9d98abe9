package org.alexnet.train;

import java.io.Serializable;
import java.util.Iterator;
import org.alexnet.train.data.Minibatch;

/**
 * Where a worker's minibatches come from in a round: its chunk of the epoch's JPEGs
 * ({@link EpochChunks}), or minibatches already in memory ({@link InMemoryMinibatches}, the
 * averaging benchmark and the exactness tests). The worker's loop ({@link WorkerTask}) is the
 * same for both.
 *
 * @param <T> the records of a worker's partition
 */
public interface MinibatchSource<T> extends Serializable {

    /** The worker's minibatches, read from its partition's records; closed when the worker is done. */
    Minibatches open(int worker, Iterator<T> records);

    /** Seed of the worker's dropout masks this round (fixed by the run's seed, the round and the worker). */
    long dropoutSeed(int worker);

    /** Minibatches that may hold threads or buffers until closed. */
    interface Minibatches extends Iterator<Minibatch>, AutoCloseable {
        @Override
        void close();
    }
}
