package org.alexnet.train;

import java.util.Iterator;
import org.alexnet.train.data.Minibatch;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A worker's minibatches held in memory, one RDD partition per worker: what the averaging
 * benchmark trains (no JPEG pipeline in the timing) and what the exactness tests feed.
 */
public final class InMemoryMinibatches implements MinibatchSource<MultiDataSet> {
    private static final long serialVersionUID = 1L;
    private final long seed;

    /** {@code seed}: base of every worker's dropout seed. */
    public InMemoryMinibatches(long seed) {
        this.seed = seed;
    }

    @Override
    public Minibatches open(int worker, Iterator<MultiDataSet> records) {
        return new Minibatches() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public Minibatch next() {
                MultiDataSet batch = records.next();
                return new Minibatch(batch.getFeatures(0), batch.getLabels(0), (int) batch.getFeatures(0).size(0), 0);
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public long dropoutSeed(int worker) {
        return EpochPlan.mix(seed * 31L + worker);
    }
}
