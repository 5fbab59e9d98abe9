package org.alexnet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.alexnet.archive.ModelArchive;
import org.alexnet.predict.PredictAlexNet;
import org.alexnet.preprocessing.PreprocessImageNet;
import org.alexnet.sample.SampleImages;
import org.alexnet.spark.SparkSerialization;
import org.alexnet.train.TrainAlexNet;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The jobs (preprocessing, training, batch inference) run with the settings each recipe gives them that a local session can take: the
 * serializer (and its Kryo keys), the S3A committer binding for Parquet (on file:// Spark's
 * PathOutputCommitProtocol and BindingParquetOutputCommitter bind to Hadoop's file committer),
 * RPC and local-disk encryption, ACLs; plus Kryo, the documented alternative serializer. Recipes
 * with the same job settings run once. Resource sizes, JVM options and the K8s secret file (which
 * Spark accepts only on Kubernetes) are the cluster tests' and DeployTemplatesTest's business.
 */
class RecipeJobSettingsTest {
    private static final Path DEPLOY = Processes.repoRoot().resolve("deploy");
    private static final List<String> JOB_KEYS = List.of("spark.serializer", "spark.kryo", "spark.sql.",
            "spark.hadoop.fs.s3a.committer.", "spark.io.encryption.", "spark.network.crypto.", "spark.authenticate",
            "spark.acls.", "spark.admin.acls", "spark.modify.acls", "spark.ui.view.acls");

    @TempDir
    static Path dir;
    static Path raw;

    @BeforeAll
    static void sampleImages() throws Exception {
        raw = dir.resolve("raw");
        SampleImages.write(raw, 4, 12, 4, 3);
    }

    /** Each distinct set of job settings, named by the recipes that use it. */
    static Stream<Object[]> settings() throws IOException {
        Map<Map<String, String>, List<String>> distinct = new LinkedHashMap<>();
        for (String template : List.of("conf/spark-defaults-cpu.conf", "conf/spark-defaults-gpu.conf")) {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(DEPLOY.resolve(template))));
            Map<String, String> all = new TreeMap<>();
            p.stringPropertyNames().forEach(k -> all.put(k, p.getProperty(k)));
            distinct.computeIfAbsent(jobSettings(all), k -> new ArrayList<>()).add(template);
        }
        distinct.computeIfAbsent(jobSettings(kubernetesConf()), k -> new ArrayList<>()).add("kubernetes/alexnet-train.yaml");
        Map<String, String> kryo = new TreeMap<>(distinct.keySet().iterator().next());
        kryo.put("spark.serializer", SparkSerialization.KRYO);
        distinct.computeIfAbsent(kryo, k -> new ArrayList<>()).add("KryoSerializer (documented alternative)");
        return distinct.entrySet().stream().map(e -> new Object[] {String.join(" + ", e.getValue()), e.getKey()});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void preprocessTrainAndPredictRunWithTheRecipesJobSettings(String recipes, Map<String, String> settings) throws Exception {
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("RecipeJobSettingsTest")
                .set("spark.ui.enabled", "false");
        settings.forEach(conf::set);
        // as the jobs build their sessions
        SparkSession spark = SparkSession.builder().config(SparkSerialization.apply(conf)).getOrCreate();
        Path run = Files.createTempDirectory(dir, "run");
        try {
            assertEquals(settings.get("spark.serializer"), spark.conf().get("spark.serializer"), recipes);
            Path dataset = run.resolve("dataset");
            assertEquals(0, PreprocessImageNet.run(new String[] {"--input", raw.toString(), "--output",
                    dataset.toString(), "--images-per-task", "40", "--set", "preprocess.max-rejected-fraction=0.1"}, spark),
                    recipes + ": preprocessing");
            assertTrue(Files.exists(dataset.resolve("_SUCCESS")), recipes);
            Path out = run.resolve("training");
            assertEquals(0, TrainAlexNet.run(new String[] {"--data", dataset.toString(), "--output", out.toString(),
                    "--set", "model.preset=tiny", "--set", "model.classes=4", "--set", "train.workers=2",
                    "--set", "train.batch-size=8", "--set", "train.averaging-frequency=2", "--set", "train.epochs=1",
                    "--set", "train.decode-threads=1", "--set", "train.eval.batch-size=16"}, spark), recipes + ": training");
            assertEquals(4, ModelArchive.open(out.resolve("model.zip")).model().classes(), recipes);
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            assertEquals(0, PredictAlexNet.run(new String[] {"--model", out.toString(), "--input",
                    dataset.resolve("val").toString(), "--output", run.resolve("predictions").toString(), "--features"},
                    spark, System.out, new java.io.PrintStream(err, true)), recipes + ": batch inference\n" + err);
            assertEquals(16, spark.read().parquet(run.resolve("predictions").toString()).count(), recipes);
        } finally {
            spark.stop();
        }
    }

    private static Map<String, String> jobSettings(Map<String, String> recipe) {
        Map<String, String> s = new TreeMap<>();
        recipe.forEach((k, v) -> {
            if (JOB_KEYS.stream().anyMatch(k::startsWith) && !k.startsWith("spark.authenticate.secret")) {
                s.put(k, v);
            }
        });
        assertTrue(s.containsKey("spark.serializer"), "every recipe names its serializer: " + recipe.keySet());
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> kubernetesConf() throws IOException {
        Map<String, Object> app;
        try (var in = Files.newInputStream(DEPLOY.resolve("kubernetes/alexnet-train.yaml"))) {
            app = new Yaml().load(in);
        }
        Map<String, String> conf = new TreeMap<>();
        ((Map<String, Object>) ((Map<String, Object>) app.get("spec")).get("sparkConf"))
                .forEach((k, v) -> conf.put(k, String.valueOf(v)));
        return conf;
    }
}
