package org.alexnet.train;

import java.nio.charset.StandardCharsets;
import org.alexnet.train.data.Example;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Where each training image goes in one epoch. Every image gets a 64-bit key hashed from
 * (seed, epoch, image key): the key picks its chunk, one chunk per (round, worker), and orders
 * the chunk. The epoch's data is shuffled ONCE into rounds x workers partitions and cached, so
 * round r reads exactly its workers' chunks and the whole epoch reads the data once, in a fresh
 * order across the cluster that depends only on the seed and the epoch.
 *
 * @param epoch   1-based epoch
 * @param rounds  rounds in the epoch
 * @param workers workers per round
 * @param seed    the run's data seed
 */
public record EpochPlan(int epoch, int rounds, int workers, long seed) implements java.io.Serializable {

    /** Rounds needed so that each worker sees about {@code averagingFrequency} minibatches per round. */
    public static int roundsFor(long trainImages, int workers, int batchSize, int averagingFrequency) {
        long perRound = (long) workers * batchSize * averagingFrequency;
        return (int) Math.max(1, (trainImages + perRound - 1) / perRound);
    }

    /**
     * The epoch's training data in its chunks: partition {@code round x workers + worker} holds
     * that worker's images of that round, ordered by position key (one shuffle of JPEG bytes).
     */
    public JavaPairRDD<Long, Example> chunks(JavaRDD<Example> trainSet) {
        EpochPlan plan = this;
        return trainSet.mapToPair(e -> new Tuple2<>(plan.positionKey(e.key()), e))
                .repartitionAndSortWithinPartitions(partitioner());
    }

    /** The image's position key for this epoch (chunk and order within the chunk). */
    public long positionKey(String imageKey) {
        long h = mix(seed ^ mix(epoch * 0x9E3779B97F4A7C15L));
        for (byte b : imageKey.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ (b & 0xff));
        }
        return h;
    }

    /** The chunk (= partition of the epoch's data) a position key belongs to: round * workers + worker. */
    public int chunk(long positionKey) {
        return (int) Math.floorMod(positionKey, (long) rounds * workers);
    }

    public int chunks() {
        return rounds * workers;
    }

    /** Spark partitioner of the epoch's (position key, example) pairs into chunks. */
    public Partitioner partitioner() {
        return new ChunkPartitioner(this);
    }

    /** SplitMix64's finaliser: a fast, well-mixed 64-bit hash step. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static final class ChunkPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final EpochPlan plan;

        ChunkPartitioner(EpochPlan plan) {
            this.plan = plan;
        }

        @Override
        public int numPartitions() {
            return plan.chunks();
        }

        @Override
        public int getPartition(Object key) {
            return plan.chunk((Long) key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ChunkPartitioner c && c.plan.equals(plan);
        }

        @Override
        public int hashCode() {
            return plan.hashCode();
        }
    }
}
