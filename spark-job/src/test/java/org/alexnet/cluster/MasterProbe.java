package org.alexnet.cluster;

import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.rpc.RpcAddress;
import org.apache.spark.rpc.RpcEnv;
import scala.Option;

/**
 * Opens a connection to a standalone master's RPC endpoint as any Spark client does first (a
 * driver's StandaloneAppClient, a worker, spark-class's Client): Spark's own RpcEnv asks the
 * master's endpoint verifier for the "Master" endpoint, with whatever authentication
 * {@code conf} carries.
 */
final class MasterProbe {
    private MasterProbe() {
    }

    /** Returns normally when the master answered; throws what the connection failed with. */
    static void connect(String masterUrl, SparkConf conf) {
        conf.set("spark.rpc.lookupTimeout", "30s").set("spark.rpc.askTimeout", "30s");
        SecurityManager security = new SecurityManager(conf, Option.empty(),
                org.apache.spark.internal.config.package$.MODULE$.AUTH_SECRET_FILE());
        RpcEnv env = RpcEnv.create("probe", "127.0.0.1", 0, conf, security, true);
        try {
            env.setupEndpointRef(RpcAddress.fromSparkURL(masterUrl), "Master");
        } finally {
            env.shutdown();
            env.awaitTermination();
        }
    }
}
