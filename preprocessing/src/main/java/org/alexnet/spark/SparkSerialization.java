package org.alexnet.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkConf;

/**
 * Makes the project's objects travel with whichever serializer the user chose. Spark's default
 * JavaSerializer needs nothing. With {@code spark.serializer=org.apache.spark.serializer.KryoSerializer}
 * (a template or {@code --conf}), {@link AlexNetKryoRegistrator} is added to
 * {@code spark.kryo.registrator} (after any the user lists) and Kryo's buffer may grow to hold a
 * whole model. Applied to the conf every job builds its session from.
 */
public final class SparkSerialization {
    public static final String KRYO = "org.apache.spark.serializer.KryoSerializer";
    public static final String REGISTRATOR_KEY = "spark.kryo.registrator";
    /** Largest object Kryo serialises in one piece: a worker's result carries the whole model (~0.5 GB). */
    static final String BUFFER_MAX = "1g";

    private SparkSerialization() {
    }

    /** Adds the project's Kryo registrator when {@code conf} selects Kryo; returns {@code conf}. */
    public static SparkConf apply(SparkConf conf) {
        if (!usesKryo(conf)) {
            return conf;
        }
        addRegistrator(conf, AlexNetKryoRegistrator.class.getName());
        conf.setIfMissing("spark.kryoserializer.buffer.max", BUFFER_MAX);
        return conf;
    }

    /** Appends a registrator class to {@code spark.kryo.registrator} unless it is listed. */
    public static void addRegistrator(SparkConf conf, String className) {
        List<String> registrators = new ArrayList<>(registrators(conf));
        if (!registrators.contains(className)) {
            registrators.add(className);
        }
        conf.set(REGISTRATOR_KEY, String.join(",", registrators));
    }

    /** Whether {@code conf} selects Kryo. */
    public static boolean usesKryo(SparkConf conf) {
        return KRYO.equals(conf.get("spark.serializer", "").strip());
    }

    /** The classes {@code spark.kryo.registrator} lists. */
    public static List<String> registrators(SparkConf conf) {
        return Arrays.stream(conf.get(REGISTRATOR_KEY, "").split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .toList();
    }
}
