package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alexnet.config.ConfigException;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The round settings go into the session, never over what the user set, and Spark's limits stay. */
class RoundTransportTest {

    @Test
    void keepsSparksLimitsTurnsOffCompressionAndWritesShufflesOnce() {
        SparkConf conf = RoundTransport.apply(new SparkConf(false));
        assertEquals("false", conf.get("spark.broadcast.compress"), "parameters are not compressed");
        assertEquals("false", conf.get("spark.shuffle.compress"), "nor are the shuffled pieces and JPEG bytes");
        assertEquals("0", conf.get("spark.shuffle.sort.bypassMergeThreshold"), "pieces written once, by the sort writer");
        assertFalse(conf.contains("spark.driver.maxResultSize"), "the driver's result limit stays Spark's");
        assertFalse(conf.contains("spark.rpc.message.maxSize"), "RPC messages stay default-sized");
        assertFalse(conf.contains("spark.task.maxDirectResultSize"), "results above 1 MB go through the block manager");
    }

    @Test
    void keepsWhatTheUserSet() {
        SparkConf conf = RoundTransport.apply(new SparkConf(false).set("spark.broadcast.compress", "true"));
        assertEquals("true", conf.get("spark.broadcast.compress"), "the user's value wins");
    }

    @Test
    void aStateAboveTheDriversResultLimitFailsBeforeTrainingNamingTheSetting() {
        long fullModel = 2L * 60_965_224 * Float.BYTES;
        RoundTransport.requireRoomFor(new SparkConf(false), fullModel); // Spark's default 1g holds the full net
        RoundTransport.requireRoomFor(new SparkConf(false).set("spark.driver.maxResultSize", "0"), 10L << 30);
        ConfigException e = assertThrows(ConfigException.class, () -> RoundTransport.requireRoomFor(
                new SparkConf(false).set("spark.driver.maxResultSize", "256m"), fullModel));
        assertTrue(e.getMessage().contains("spark.driver.maxResultSize") && e.getMessage().contains("--conf"),
                "the message says which setting to change: " + e.getMessage());
    }
}
