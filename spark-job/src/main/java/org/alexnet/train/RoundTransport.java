package org.alexnet.train;

import org.alexnet.config.ConfigException;
import org.apache.spark.SparkConf;
import org.apache.spark.network.util.JavaUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spark settings for rounds that move whole models, and the check that Spark's own limits leave
 * room for them. Every round the driver broadcasts one state (parameters and momentum, 488 MB for
 * the full net) and receives one averaged state in shards; nothing else large travels, so Spark's
 * safety limits stay as they are ({@code spark.driver.maxResultSize} 1g, default RPC messages) and a
 * model too large for them fails before training with the setting to change.
 */
public final class RoundTransport {
    private static final Logger LOG = LoggerFactory.getLogger(RoundTransport.class);
    /** Heap the driver needs per state: the current one, its broadcast's serialised pieces, the next one. */
    static final int DRIVER_STATES = 3;

    private RoundTransport() {
    }

    /**
     * Sets what {@code conf} does not already have: broadcasts and shuffles not compressed. LZ4
     * finds nothing to squeeze in float parameters (the round's broadcast and its averaging
     * shuffle) nor in JPEG bytes (the epoch's shuffle), and would cost every round of the full
     * model a compression and a decompression of ~0.5 GB per worker.
     */
    public static SparkConf apply(SparkConf conf) {
        conf.setIfMissing("spark.broadcast.compress", "false");
        conf.setIfMissing("spark.shuffle.compress", "false");
        // Spark's sort-based writer for every shuffle, also under 200 reducers: a worker's pieces
        // (views of its replica on the CPU) go once into its shuffle file, where the "bypass" writer
        // Spark picks for few reducers writes a file per reducer and then copies them into one
        // (measured, full model, 2 workers: 0.26-0.29 s against 0.59-0.73 s of writing per worker)
        conf.setIfMissing("spark.shuffle.sort.bypassMergeThreshold", "0");
        return conf;
    }

    /**
     * Fails, naming the setting, when a round's averaged state ({@code stateBytes}) cannot reach
     * the driver under {@code spark.driver.maxResultSize}; warns when the driver's heap looks too
     * small for the states it holds during a round.
     */
    public static void requireRoomFor(SparkConf conf, long stateBytes) {
        long limit = JavaUtils.byteStringAsBytes(conf.get("spark.driver.maxResultSize", "1g"));
        // the shards' headers and the workers' stage results come on top of the state itself
        long needed = stateBytes + stateBytes / 50 + (16L << 20);
        if (limit > 0 && limit < needed) {
            throw new ConfigException("every round returns the averaged model state (" + mb(stateBytes)
                    + ") to the driver, above spark.driver.maxResultSize (" + mb(limit) + "): set "
                    + "--conf spark.driver.maxResultSize=" + ((needed >> 20) + 1) + "m or more");
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (heap < DRIVER_STATES * stateBytes + (512L << 20)) {
            LOG.warn("the driver's heap ({}) is small for rounds of a {} model state: it holds about {} of them at "
                    + "once; give the driver {} or more (spark.driver.memory, or ALEXNET_HEAP for deploy/alexnet)",
                    mb(heap), mb(stateBytes), DRIVER_STATES, mb(DRIVER_STATES * stateBytes + (1L << 30)));
        }
    }

    private static String mb(long bytes) {
        return String.format("%.0f MB", bytes / 1e6);
    }
}
