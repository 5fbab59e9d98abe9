package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The round settings go into the session, and never over what the user set. */
class RoundTransportTest {

    @Test
    void setsTheRoundSettingsWhenMissing() {
        SparkConf conf = RoundTransport.apply(new SparkConf(false));
        assertEquals("0", conf.get("spark.driver.maxResultSize"), "no driver result limit");
        assertEquals("2000m", conf.get("spark.task.maxDirectResultSize"), "whole-model results go direct");
        assertEquals("2000", conf.get("spark.rpc.message.maxSize"), "and fit in one RPC message");
        assertEquals("false", conf.get("spark.broadcast.compress"), "parameters are not compressed");
    }

    @Test
    void keepsWhatTheUserSet() {
        SparkConf conf = RoundTransport.apply(new SparkConf(false).set("spark.task.maxDirectResultSize", "1m")
                .set("spark.broadcast.compress", "true"));
        assertEquals("1m", conf.get("spark.task.maxDirectResultSize"), "the user's value wins");
        assertEquals("true", conf.get("spark.broadcast.compress"), "the user's value wins");
    }
}
