package org.alexnet.train;

import org.apache.spark.SparkConf;

/**
 * Spark settings for rounds whose task results carry a whole model (parameters and momentum,
 * ~490 MB per worker for the full net), applied where the job creates its session unless the
 * user set them: no driver result limit; results sent straight to the driver with the task's
 * status message rather than stored in the executor's block manager and fetched back by the
 * driver (that fetch took ~3.5 s of a ~7 s round for two workers, bench averaging); and
 * broadcasts not compressed: LZ4 finds nothing to squeeze in float parameters and costs ~0.2 s
 * of the driver's time per round (the job's other broadcast, the dataset statistics, is 1 MB).
 */
public final class RoundTransport {
    /** Spark's upper bound for an RPC message, in MiB; results up to this size travel directly. */
    static final int MAX_MESSAGE_MIB = 2000;

    private RoundTransport() {
    }

    /** Sets the round settings that {@code conf} does not already have; returns it. */
    public static SparkConf apply(SparkConf conf) {
        conf.setIfMissing("spark.driver.maxResultSize", "0");
        conf.setIfMissing("spark.rpc.message.maxSize", Integer.toString(MAX_MESSAGE_MIB));
        conf.setIfMissing("spark.task.maxDirectResultSize", MAX_MESSAGE_MIB + "m");
        conf.setIfMissing("spark.broadcast.compress", "false");
        return conf;
    }
}
