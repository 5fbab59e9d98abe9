package org.alexnet.spark;

import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code main} of a command that may need Spark: the session is created only when the
 * command asks for it (a usage error exits without starting Spark), stopped when the command
 * ends, and the JVM exits with the command's code.
 */
public final class SparkCommand {
    private SparkCommand() {
    }

    /** A session named {@code appName} with the project's serialization settings ({@link SparkSerialization}). */
    public static Supplier<SparkSession> session(String appName) {
        return () -> SparkSession.builder().config(SparkSerialization.apply(new SparkConf().setAppName(appName)))
                .getOrCreate();
    }

    /** Runs {@code command} with a lazily created session from {@code create}, stops it, and exits. */
    public static void exit(Supplier<SparkSession> create, ToIntFunction<Supplier<SparkSession>> command) {
        SparkSession[] made = new SparkSession[1];
        int code = command.applyAsInt(() -> made[0] == null ? (made[0] = create.get()) : made[0]);
        if (made[0] != null) {
            made[0].stop();
        }
        System.exit(code);
    }
}
