package org.alexnet.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.apache.spark.internal.config.ConfigEntry$;

/**
 * Whether a configuration key in a recipe is one that Spark (3.5.7, the version on this
 * classpath) or Hadoop's S3A connector actually reads: Spark's registered ConfigEntries (core,
 * deploy, UI, network, Kryo, SQL: every config object of spark-core and spark-catalyst is loaded
 * first), the per-resource keys (spark.executor.resource.gpu.amount, ...), spark.hadoop.* keys
 * that S3A defines (org.apache.hadoop.fs.s3a.Constants / CommitConstants) or Hadoop ships a
 * default for, and the few keys of Spark modules this build does not have, each with where
 * Spark documents it. A misspelt or invented key fails.
 */
final class SparkKeys {
    /** Keys of spark-yarn / spark-kubernetes (not on this classpath), as documented by Spark 3.5.7. */
    private static final Map<String, String> DOCUMENTED_ELSEWHERE = Map.of(
            "spark.yarn.maxAppAttempts", "https://spark.apache.org/docs/3.5.7/running-on-yarn.html");
    private static final Pattern RESOURCE =
            Pattern.compile("spark\\.(driver|executor|task)\\.resource\\.[a-z0-9_.-]+\\.(amount|discoveryScript|vendor)");
    private static final Set<String> S3A_KEYS = s3aKeys();

    static {
        loadSparkConfigObjects();
    }

    private SparkKeys() {
    }

    /** Null when Spark uses {@code key}; otherwise why not. */
    static String problem(String key) {
        if (key.startsWith("spark.hadoop.")) {
            String hadoop = key.substring("spark.hadoop.".length());
            if (hadoop.startsWith("fs.s3a.")) {
                return S3A_KEYS.contains(hadoop) ? null : "'" + hadoop + "' is not an S3A key (hadoop-aws Constants)";
            }
            return new org.apache.hadoop.conf.Configuration().get(hadoop) != null ? null
                    : "'" + hadoop + "' is not a Hadoop key with a default";
        }
        if (RESOURCE.matcher(key).matches() || DOCUMENTED_ELSEWHERE.containsKey(key)) {
            return null;
        }
        return ConfigEntry$.MODULE$.findEntry(key) != null ? null : "Spark 3.5.7 has no setting '" + key + "'";
    }

    /** Initialises every Spark config object, which registers its entries. */
    private static void loadSparkConfigObjects() {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = new File(entry).getName();
            if (!name.startsWith("spark-core_") && !name.startsWith("spark-catalyst_")) {
                continue;
            }
            try (JarFile jar = new JarFile(entry)) {
                for (Enumeration<java.util.jar.JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String c = e.nextElement().getName();
                    if (c.matches("org/apache/spark/internal/config/[A-Za-z]+\\$\\.class")
                            || c.matches("org/apache/spark/sql/internal/(Static)?SQLConf\\$\\.class")) {
                        Class.forName(c.replace('/', '.').replace(".class", ""), true,
                                SparkKeys.class.getClassLoader()).getField("MODULE$").get(null);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        if (ConfigEntry$.MODULE$.findEntry("spark.sql.sources.commitProtocolClass") == null) {
            throw new IllegalStateException("Spark's config objects did not load");
        }
    }

    /** Every key S3A defines as a constant (hadoop-aws on the test classpath). */
    private static Set<String> s3aKeys() {
        Set<String> keys = new HashSet<>();
        for (String holder : new String[] {"org.apache.hadoop.fs.s3a.Constants",
                "org.apache.hadoop.fs.s3a.commit.CommitConstants"}) {
            try {
                for (Field f : Class.forName(holder).getFields()) {
                    if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class
                            && ((String) f.get(null)).startsWith("fs.s3a.")) {
                        keys.add((String) f.get(null));
                    }
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("hadoop-aws is not on the test classpath: " + e, e);
            }
        }
        return keys;
    }
}
