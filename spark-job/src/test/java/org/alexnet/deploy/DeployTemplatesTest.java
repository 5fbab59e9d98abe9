package org.alexnet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.deploy.SparkSubmitArguments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import scala.collection.JavaConverters;

/**
 * The cluster recipes in deploy/ are valid: every shell script passes shellcheck, the Kubernetes
 * templates parse as YAML and request what the job needs, and the spark-submit command lines the
 * submit scripts build (with the spark-defaults templates) are accepted by Spark's own argument
 * parser, SparkSubmitArguments, without submitting anything.
 */
class DeployTemplatesTest {
    private static final Path DEPLOY = Processes.repoRoot().resolve("deploy");

    @TempDir
    Path dir;

    @Test
    void everyShellScriptPassesShellcheck() throws Exception {
        List<String> scripts = new ArrayList<>();
        try (Stream<Path> all = Files.walk(DEPLOY)) {
            all.filter(Files::isRegularFile).filter(DeployTemplatesTest::isShellScript)
                    .forEach(p -> scripts.add(p.toString()));
        }
        assertTrue(scripts.size() >= 5, "scripts found: " + scripts);
        List<String> command = new ArrayList<>(List.of(tool("shellcheck"), "--shell=bash", "--severity=style"));
        command.addAll(scripts);
        Processes.Run run = Processes.run(command, Map.of(), 120);
        assertEquals(0, run.exitCode(), "shellcheck:\n" + run.all());
    }

    @Test
    void gpuDiscoveryScriptPrintsSparksResourceJson() throws Exception {
        String script = DEPLOY.resolve("gpu/discover-gpus.sh").toString();
        Processes.Run two = Processes.run(List.of(script), Map.of("ALEXNET_GPU_COUNT", "2"), 30);
        assertEquals(0, two.exitCode(), two.all());
        assertEquals("{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}", two.stdout().strip());
        Processes.Run visible = Processes.run(List.of(script), Map.of("CUDA_VISIBLE_DEVICES", "3,5"), 30);
        assertEquals("{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}", visible.stdout().strip(), visible.all());
        // Spark parses it with its own JSON reader: the addresses must be strings
        Map<?, ?> parsed = new Yaml().load(two.stdout());
        assertEquals(List.of("0", "1"), parsed.get("addresses"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void sparkApplicationParsesAndAsksForTwoGpusPerExecutor() throws Exception {
        Map<String, Object> app;
        try (var in = Files.newInputStream(DEPLOY.resolve("kubernetes/alexnet-train.yaml"))) {
            app = new Yaml().load(in);
        }
        assertEquals("sparkoperator.k8s.io/v1beta2", app.get("apiVersion"));
        assertEquals("SparkApplication", app.get("kind"));
        Map<String, Object> spec = (Map<String, Object>) app.get("spec");
        assertEquals("cluster", spec.get("mode"));
        assertNotNull(Class.forName((String) spec.get("mainClass")), "the main class is in the jar");
        Map<String, Object> executor = (Map<String, Object>) spec.get("executor");
        Map<String, Object> gpu = (Map<String, Object>) executor.get("gpu");
        assertEquals("nvidia.com/gpu", gpu.get("name"));
        assertEquals(2, gpu.get("quantity"));
        Map<String, Object> conf = (Map<String, Object>) spec.get("sparkConf");
        conf.forEach((k, v) -> assertTrue(v instanceof String, "sparkConf values must be strings: " + k));
        assertEquals("2", conf.get("spark.executor.resource.gpu.amount"));
        assertEquals("2", conf.get("spark.task.resource.gpu.amount"));
        assertTrue(((String) conf.get("spark.executor.extraJavaOptions")).contains("org.bytedeco.javacpp.maxbytes"));
        // the discovery script and the jar are where the Dockerfile puts them
        String dockerfile = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
        String script = (String) conf.get("spark.executor.resource.gpu.discoveryScript");
        assertTrue(dockerfile.contains("COPY deploy/gpu/discover-gpus.sh " + script), script);
        String jar = ((String) spec.get("mainApplicationFile")).replace("local://", "");
        assertTrue(dockerfile.contains(" " + jar + "\n"), jar);
    }

    @Test
    void dockerfileCopiesWhatTheRepositoryHas() throws Exception {
        for (String line : Files.readAllLines(DEPLOY.resolve("docker/Dockerfile"))) {
            if (line.startsWith("COPY ")) {
                String source = line.split("\\s+")[1];
                Path p = Processes.repoRoot().resolve(source);
                assertTrue(Files.exists(p) || source.equals("spark-job/target/alexnet-spark-job-0.1.0-SNAPSHOT-shaded.jar"),
                        "COPY source missing: " + source);
            }
        }
    }

    @Test
    void standaloneSubmitIsAcceptedBySparkSubmitArguments() throws Exception {
        SparkSubmitArguments a = dryRun("standalone/submit.sh",
                Map.of("SPARK_MASTER_URL", "spark://master:7077", "SPARK_AUTH_SECRET", "s3cret"),
                "train", "--data", "/shared/ds", "--output", "/shared/run", "--set", "train.epochs=2");
        assertEquals("spark://master:7077", a.master());
        assertEquals("client", a.deployMode());
        assertEquals("TrainAlexNet", a.mainClass());
        assertEquals(List.of("--data", "/shared/ds", "--output", "/shared/run", "--set", "train.epochs=2"),
                JavaConverters.seqAsJavaList(a.childArgs()));
        Map<String, String> p = props(a);
        assertEquals("true", p.get("spark.authenticate"));
        assertEquals("s3cret", p.get("spark.authenticate.secret"));
        assertEquals("18g", p.get("spark.executor.memoryOverhead"), "spark-defaults-cpu.conf was read");
        assertTrue(p.get("spark.executor.extraJavaOptions").contains("-Dorg.bytedeco.javacpp.maxbytes=16G"));
        assertTrue(a.driverExtraJavaOptions().contains("log4j2.properties"));
    }

    @Test
    void yarnClusterSubmitIsAcceptedBySparkSubmitArguments() throws Exception {
        SparkSubmitArguments a = dryRun("yarn/submit.sh",
                Map.of("HADOOP_CONF_DIR", dir.toString(), "ALEXNET_PROPERTIES",
                        DEPLOY.resolve("conf/spark-defaults-gpu.conf").toString()),
                "preprocess", "--input", "hdfs:///raw", "--output", "hdfs:///ds");
        assertEquals("yarn", a.master());
        assertEquals("cluster", a.deployMode());
        assertEquals("PreprocessImageNet", a.mainClass());
        assertEquals("2", a.numExecutors());
        assertTrue(a.files().endsWith("conf/log4j2.properties"), a.files());
        Map<String, String> p = props(a);
        assertEquals("2", p.get("spark.executor.resource.gpu.amount"), "spark-defaults-gpu.conf was read");
        assertEquals("/opt/alexnet/deploy/gpu/discover-gpus.sh", p.get("spark.executor.resource.gpu.discoveryScript"));
        assertTrue(a.driverExtraJavaOptions().contains("maxbytes"), a.driverExtraJavaOptions());
    }

    @Test
    void submitScriptsRefuseAnUnknownJob() throws Exception {
        Processes.Run run = Processes.run(List.of(DEPLOY.resolve("yarn/submit.sh").toString(), "fly"),
                Map.of("SPARK_HOME", dir.toString()), 30);
        assertEquals(2, run.exitCode());
        assertTrue(run.stderr().contains("unknown job 'fly'"), run.stderr());
    }

    /** Runs a submit script with spark-submit replaced by a recorder, and parses what it would have run. */
    private SparkSubmitArguments dryRun(String script, Map<String, String> env, String... args) throws Exception {
        Path recorded = dir.resolve("args");
        Path recorder = dir.resolve("spark-submit");
        Files.writeString(recorder, "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\" > '" + recorded + "'\n");
        recorder.toFile().setExecutable(true);
        Map<String, String> e = new HashMap<>(env);
        e.put("SPARK_HOME", dir.toString());
        e.put("SPARK_SUBMIT", recorder.toString());
        List<String> command = new ArrayList<>(List.of(DEPLOY.resolve(script).toString()));
        command.addAll(List.of(args));
        Processes.Run run = Processes.run(command, e, 60);
        assertEquals(0, run.exitCode(), run.all());
        String[] argv = Files.readString(recorded, StandardCharsets.UTF_8).split("\0");
        Map<String, String> sparkEnv = new HashMap<>(e);
        try {
            return new SparkSubmitArguments(JavaConverters.asScalaBuffer(List.of(argv)).toList(),
                    JavaConverters.mapAsScalaMap(sparkEnv).toMap(scala.Predef.$conforms()));
        } catch (Exception | Error rejected) {
            fail("spark-submit rejects " + String.join(" ", argv) + ": " + rejected);
            throw rejected;
        }
    }

    private static Map<String, String> props(SparkSubmitArguments a) {
        return JavaConverters.mapAsJavaMap(a.sparkProperties());
    }

    private static boolean isShellScript(Path p) {
        String name = p.getFileName().toString();
        if (name.endsWith(".sh") || name.endsWith(".sbatch")) {
            return true;
        }
        try {
            return Files.readString(p).startsWith("#!/usr/bin/env bash");
        } catch (IOException e) {
            return false;
        }
    }

    /** A lint tool on the PATH; a missing one fails the test (CI must install it). */
    static String tool(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        fail(name + " is not installed: the deploy/ lint tests need it (Debian/Ubuntu: apt-get install " + name + ")");
        return null;
    }
}
