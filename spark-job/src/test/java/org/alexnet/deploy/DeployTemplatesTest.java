package org.alexnet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.deploy.SparkSubmitArguments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import scala.collection.JavaConverters;

/**
 * The cluster recipes in deploy/ are valid as far as this machine can run them: every shell
 * script passes shellcheck; the spark-submit command lines the submit scripts build (with the
 * spark-defaults templates) are accepted by Spark's own argument parser, SparkSubmitArguments,
 * without submitting anything; the secret never reaches a command line; security is on in every
 * recipe; every key a recipe sets is one Spark or S3A reads; the Kubernetes template parses as
 * YAML, requests what the job needs and restarts a failed driver with --resume; and the image's
 * object-store jars match this build's Spark and Hadoop.
 */
class DeployTemplatesTest {
    private static final Path DEPLOY = Processes.repoRoot().resolve("deploy");
    private static final List<String> TEMPLATES = List.of("conf/spark-defaults-cpu.conf", "conf/spark-defaults-gpu.conf");
    /** What "security on" means in a job's settings (deploy/README.md, Security). */
    private static final Map<String, String> SECURE = Map.of("spark.authenticate", "true",
            "spark.network.crypto.enabled", "true", "spark.io.encryption.enabled", "true",
            "spark.ui.killEnabled", "false", "spark.acls.enable", "true");
    private static final List<String> ACLS = List.of("spark.admin.acls", "spark.modify.acls", "spark.ui.view.acls");

    @TempDir
    Path dir;

    @Test
    void everyShellScriptPassesShellcheck() throws Exception {
        List<String> scripts = new ArrayList<>();
        try (Stream<Path> all = Files.walk(DEPLOY)) {
            all.filter(Files::isRegularFile).filter(DeployTemplatesTest::isShellScript)
                    .forEach(p -> scripts.add(p.toString()));
        }
        assertTrue(scripts.size() >= 7, "scripts found: " + scripts);
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
        Map<String, Object> spec = sparkApplicationSpec();
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
        assertEquals(dockerArgs().get("SPARK_VERSION"), spec.get("sparkVersion"), "the operator's Spark is the image's");
    }

    @Test
    @SuppressWarnings("unchecked")
    void sparkApplicationRestartsAFailedDriverWithResumeAndMountsTheSecretAsAFile() throws Exception {
        Map<String, Object> spec = sparkApplicationSpec();
        Map<String, Object> restart = (Map<String, Object>) spec.get("restartPolicy");
        assertEquals("OnFailure", restart.get("type"), "a failed driver is restarted");
        assertTrue((Integer) restart.get("onFailureRetries") >= 1, restart.toString());
        assertTrue(((List<String>) spec.get("arguments")).contains("--resume"), "the restarted driver resumes");
        Map<String, Object> conf = (Map<String, Object>) spec.get("sparkConf");
        assertFalse(conf.containsKey("spark.authenticate.secret"), "no secret in the application's spec");
        Path secretFile = Path.of((String) conf.get("spark.authenticate.secret.file"));
        for (String role : List.of("driver", "executor")) {
            List<Map<String, Object>> secrets = (List<Map<String, Object>>) ((Map<String, Object>) spec.get(role)).get("secrets");
            assertNotNull(secrets, role + " mounts no secrets");
            assertTrue(secrets.stream().anyMatch(s -> secretFile.getParent().toString().equals(s.get("path"))
                            && "Generic".equals(s.get("secretType"))),
                    role + " mounts the secret file's directory " + secretFile.getParent() + ": " + secrets);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKubernetesRecipeWritesParquetThroughTheS3ACommitters() throws Exception {
        Map<String, Object> conf = (Map<String, Object>) sparkApplicationSpec().get("sparkConf");
        assertTrue(List.of("directory", "magic", "partitioned").contains(conf.get("spark.hadoop.fs.s3a.committer.name")),
                "an S3A committer: " + conf.get("spark.hadoop.fs.s3a.committer.name"));
        // spark-hadoop-cloud's classes, which the image adds to Spark (the test classpath has the jar)
        Class<?> protocol = Class.forName((String) conf.get("spark.sql.sources.commitProtocolClass"));
        assertTrue(org.apache.spark.internal.io.FileCommitProtocol.class.isAssignableFrom(protocol), protocol.getName());
        assertEquals("org.apache.spark.internal.io.cloud.PathOutputCommitProtocol", protocol.getName());
        Class<?> committer = Class.forName((String) conf.get("spark.sql.parquet.output.committer.class"));
        assertTrue(org.apache.parquet.hadoop.ParquetOutputCommitter.class.isAssignableFrom(committer), committer.getName());
    }

    @Test
    void theImageCarriesObjectStoreJarsOfThisBuildsSparkAndHadoop() throws Exception {
        Map<String, String> args = dockerArgs();
        assertEquals(rootPomProperty("spark.version"), args.get("SPARK_VERSION"), "the image's Spark is the build's");
        assertEquals(org.apache.spark.package$.MODULE$.SPARK_VERSION(), args.get("SPARK_VERSION"));
        assertEquals(rootPomProperty("scala.binary.version"), args.get("SCALA_BINARY_VERSION"));
        assertTrue(args.get("SPARK_PACKAGE").endsWith("-bin-hadoop3"), args.get("SPARK_PACKAGE"));
        String hadoop = org.apache.hadoop.util.VersionInfo.getVersion(); // the Hadoop client Spark 3.5.7 ships
        assertEquals(hadoop, args.get("HADOOP_VERSION"), "hadoop-aws must be the version of Spark's Hadoop");
        assertEquals(rootPomProperty("hadoop.version"), hadoop, "the pom's hadoop.version is Spark's Hadoop");
        Path hadoopAws = classpathJar("hadoop-aws-");
        assertEquals("hadoop-aws-" + hadoop + ".jar", hadoopAws.getFileName().toString());
        assertEquals(awsSdkOf(hadoopAws, hadoop), args.get("AWS_SDK_VERSION"),
                "the AWS SDK bundle hadoop-aws " + hadoop + " was built with (hadoop-project's aws-java-sdk.version)");
        String dockerfile = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
        for (String path : List.of("org/apache/hadoop/hadoop-aws/${HADOOP_VERSION}/hadoop-aws-${HADOOP_VERSION}.jar",
                "com/amazonaws/aws-java-sdk-bundle/${AWS_SDK_VERSION}/aws-java-sdk-bundle-${AWS_SDK_VERSION}.jar",
                "org/apache/spark/spark-hadoop-cloud_${SCALA_BINARY_VERSION}/${SPARK_VERSION}/"
                        + "spark-hadoop-cloud_${SCALA_BINARY_VERSION}-${SPARK_VERSION}.jar")) {
            assertTrue(dockerfile.contains("\"" + path + "\""), "the image downloads " + path);
        }
        assertTrue(dockerfile.contains("sha1sum -c") && dockerfile.contains("sha512sum -c"), "downloads are checked");
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
    void standaloneSubmitIsAcceptedBySparkSubmitArgumentsWithTheSecretOnlyInAPrivateFile() throws Exception {
        Path secret = secretFile("s3cret-from-file", "rw-------");
        DryRun run = dryRun("standalone/submit.sh",
                Map.of("SPARK_MASTER_URL", "spark://master:7077", "SPARK_AUTH_SECRET_FILE", secret.toString()),
                "train", "--data", "/shared/ds", "--output", "/shared/run", "--set", "train.epochs=2");
        SparkSubmitArguments a = run.parsed();
        assertEquals("spark://master:7077", a.master());
        assertEquals("client", a.deployMode());
        assertEquals("TrainAlexNet", a.mainClass());
        assertEquals(List.of("--data", "/shared/ds", "--output", "/shared/run", "--set", "train.epochs=2"),
                JavaConverters.seqAsJavaList(a.childArgs()));
        Map<String, String> p = props(a);
        assertEquals("true", p.get("spark.authenticate"));
        assertEquals("s3cret-from-file", p.get("spark.authenticate.secret"));
        assertEquals("18g", p.get("spark.executor.memoryOverhead"), "spark-defaults-cpu.conf was read");
        assertTrue(p.get("spark.executor.extraJavaOptions").contains("-Dorg.bytedeco.javacpp.maxbytes=16G"));
        assertTrue(a.driverExtraJavaOptions().contains("log4j2.properties"));
        assertTrue(run.argv().stream().noneMatch(arg -> arg.contains("s3cret")), "the secret is on the command line: "
                + run.argv());
        assertEquals("600", run.propertiesMode(), "the properties file holding the secret is the user's only");
        assertEquals("700", run.propertiesDirMode());
        assertFalse(Files.exists(Path.of(run.propertiesPath())), "submit.sh removes it when spark-submit ends");
    }

    @Test
    void standaloneSubmitTakesTheSecretFromTheEnvironmentToo() throws Exception {
        DryRun run = dryRun("standalone/submit.sh",
                Map.of("SPARK_MASTER_URL", "spark://master:7077", "SPARK_AUTH_SECRET", "s3cret-from-env",
                        "ALEXNET_PROPERTIES", DEPLOY.resolve("conf/spark-defaults-gpu.conf").toString()),
                "preprocess", "--input", "/shared/raw", "--output", "/shared/ds");
        assertEquals("s3cret-from-env", props(run.parsed()).get("spark.authenticate.secret"));
        assertEquals("2", props(run.parsed()).get("spark.executor.resource.gpu.amount"), "the gpu template was read");
        assertTrue(run.argv().stream().noneMatch(arg -> arg.contains("s3cret")), run.argv().toString());
    }

    @Test
    void standaloneSubmitRefusesASecretFileOthersCanReadAndAMissingSecret() throws Exception {
        Path rec = Files.createTempDirectory(dir, "refused");
        Path open = secretFile("s3cret", "rw-r--r--");
        Processes.Run readable = runScript("standalone/submit.sh", recorderEnv(Map.of("SPARK_MASTER_URL",
                "spark://m:7077", "SPARK_AUTH_SECRET_FILE", open.toString()), rec), "train", "--data", "d", "--output", "o");
        assertEquals(2, readable.exitCode(), readable.all());
        assertTrue(readable.stderr().contains("chmod 600"), readable.stderr());
        Processes.Run none = runScript("standalone/submit.sh", recorderEnv(Map.of("SPARK_MASTER_URL", "spark://m:7077"),
                rec), "train", "--data", "d", "--output", "o");
        assertEquals(2, none.exitCode(), none.all());
        assertTrue(none.stderr().contains("SPARK_AUTH_SECRET_FILE"), none.stderr());
        assertFalse(Files.exists(rec.resolve("args")), "spark-submit was not run");
    }

    @Test
    void theStandaloneDaemonsGetTheSecretInTheirEnvironmentAndSecurityOnTheirCommandLine() throws Exception {
        Path secret = secretFile("daemon-s3cret", "rw-------");
        String show = ". '" + DEPLOY.resolve("standalone/spark-env.sh") + "' && printf '%s\\n' \"$SPARK_MASTER_OPTS\" "
                + "\"$SPARK_WORKER_OPTS\" \"$_SPARK_AUTH_SECRET\"";
        Processes.Run run = Processes.run(List.of("bash", "-c", show), Map.of("SPARK_AUTH_SECRET_FILE",
                secret.toString()), 30);
        assertEquals(0, run.exitCode(), run.all());
        String[] lines = run.stdout().split("\n");
        for (String opts : List.of(lines[0], lines[1])) {
            Map<String, String> d = systemProperties(opts);
            assertEquals("true", d.get("spark.authenticate"), opts);
            assertEquals("true", d.get("spark.network.crypto.enabled"), opts);
            assertEquals("false", d.get("spark.ui.killEnabled"), opts);
            assertFalse(opts.contains("daemon-s3cret"), "daemon options (a command line) hold the secret: " + opts);
        }
        assertEquals("daemon-s3cret", lines[2], "the daemons read the secret from _SPARK_AUTH_SECRET");
        Processes.Run none = Processes.run(List.of("bash", "-c", show), Map.of(), 30);
        assertEquals(2, none.exitCode(), "a daemon without the secret does not start: " + none.all());
    }

    @Test
    void yarnClusterSubmitIsAcceptedBySparkSubmitArguments() throws Exception {
        SparkSubmitArguments a = dryRun("yarn/submit.sh",
                Map.of("HADOOP_CONF_DIR", dir.toString(), "ALEXNET_PROPERTIES",
                        DEPLOY.resolve("conf/spark-defaults-gpu.conf").toString()),
                "preprocess", "--input", "hdfs:///raw", "--output", "hdfs:///ds").parsed();
        assertEquals("yarn", a.master());
        assertEquals("cluster", a.deployMode());
        assertEquals("PreprocessImageNet", a.mainClass());
        assertEquals("2", a.numExecutors());
        assertTrue(a.files().endsWith("conf/log4j2.properties"), a.files());
        Map<String, String> p = props(a);
        assertEquals("2", p.get("spark.executor.resource.gpu.amount"), "spark-defaults-gpu.conf was read");
        assertEquals("/opt/alexnet/deploy/gpu/discover-gpus.sh", p.get("spark.executor.resource.gpu.discoveryScript"));
        assertTrue(a.driverExtraJavaOptions().contains("maxbytes"), a.driverExtraJavaOptions());
        assertFalse(p.containsKey("spark.authenticate.secret"), "YARN makes the secret per application");
        SparkSubmitArguments predict = dryRun("yarn/submit.sh", Map.of("HADOOP_CONF_DIR", dir.toString()),
                "predict", "--model", "hdfs:///runs/1", "--input", "hdfs:///photos", "--output", "hdfs:///out").parsed();
        assertEquals("PredictAlexNet", predict.mainClass(), "batch inference is submitted like the other jobs");
        assertEquals(List.of("--model", "hdfs:///runs/1", "--input", "hdfs:///photos", "--output", "hdfs:///out"),
                JavaConverters.seqAsJavaList(predict.childArgs()), "its arguments reach the job");
    }

    @Test
    void securityIsOnInEveryRecipe() throws Exception {
        Map<String, Map<String, String>> recipes = new LinkedHashMap<>();
        for (String template : TEMPLATES) {
            recipes.put("standalone/submit.sh with " + template, props(dryRun("standalone/submit.sh",
                    Map.of("SPARK_MASTER_URL", "spark://m:7077", "SPARK_AUTH_SECRET", "x",
                            "ALEXNET_PROPERTIES", DEPLOY.resolve(template).toString()), "train").parsed()));
            recipes.put("yarn/submit.sh with " + template, props(dryRun("yarn/submit.sh",
                    Map.of("HADOOP_CONF_DIR", dir.toString(), "ALEXNET_PROPERTIES", DEPLOY.resolve(template).toString()),
                    "train").parsed()));
        }
        recipes.put("kubernetes/alexnet-train.yaml", kubernetesConf());
        for (Map.Entry<String, Map<String, String>> r : recipes.entrySet()) {
            SECURE.forEach((k, v) -> assertEquals(v, r.getValue().get(k), r.getKey() + ": " + k));
            ACLS.forEach(k -> assertTrue(r.getValue().containsKey(k), r.getKey() + " sets " + k));
        }
        String sbatch = Files.readString(DEPLOY.resolve("slurm/alexnet.sbatch"));
        assertTrue(sbatch.contains("deploy/standalone/spark-env.sh") && sbatch.contains("standalone/submit.sh"),
                "the Slurm recipe starts its daemons with spark-env.sh and submits with submit.sh");
    }

    @Test
    void everyRecipesJvmsRunWithConfsSerialFilterAndSparksResultLimit() throws Exception {
        String filter = java.util.Arrays.stream(Files.readString(Processes.repoRoot().resolve("conf/jvm-options"))
                .split("\n")).map(String::strip).filter(l -> l.startsWith("-Djdk.serialFilter=")).findFirst()
                .orElseThrow();
        Map<String, Map<String, String>> recipes = new LinkedHashMap<>();
        for (String template : TEMPLATES) {
            SparkSubmitArguments standalone = dryRun("standalone/submit.sh", Map.of("SPARK_MASTER_URL",
                    "spark://m:7077", "SPARK_AUTH_SECRET", "x", "ALEXNET_PROPERTIES",
                    DEPLOY.resolve(template).toString()), "train").parsed();
            Map<String, String> s = new LinkedHashMap<>(props(standalone));
            s.put("spark.driver.extraJavaOptions", standalone.driverExtraJavaOptions());
            recipes.put("standalone/submit.sh with " + template, s);
            recipes.put("yarn/submit.sh with " + template, props(dryRun("yarn/submit.sh",
                    Map.of("HADOOP_CONF_DIR", dir.toString(), "ALEXNET_PROPERTIES", DEPLOY.resolve(template).toString()),
                    "train").parsed()));
        }
        recipes.put("kubernetes/alexnet-train.yaml", kubernetesConf());
        for (Map.Entry<String, Map<String, String>> r : recipes.entrySet()) {
            for (String jvm : List.of("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")) {
                String options = r.getValue().getOrDefault(jvm, "");
                assertTrue(java.util.Arrays.asList(options.split("\\s+")).contains(filter),
                        r.getKey() + ": " + jvm + " carries conf/jvm-options' jdk.serialFilter: " + options);
            }
            String limit = r.getValue().getOrDefault("spark.driver.maxResultSize", "1g");
            assertTrue(org.apache.spark.network.util.JavaUtils.byteStringAsBytes(limit) > 0,
                    r.getKey() + ": the driver's result limit stays finite (one averaged state per round): " + limit);
        }
    }

    @Test
    void everyKeyTheRecipesSetIsOneSparkOrS3AReads() throws Exception {
        assertNotNull(SparkKeys.problem("spark.authenticate.secert"), "the check catches a misspelt key");
        assertNotNull(SparkKeys.problem("spark.hadoop.fs.s3a.comitter.name"), "and a misspelt S3A key");
        Map<String, TreeSet<String>> keys = new LinkedHashMap<>();
        for (String template : TEMPLATES) {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(DEPLOY.resolve(template))));
            keys.put(template, new TreeSet<>(p.stringPropertyNames()));
        }
        keys.put("kubernetes/alexnet-train.yaml", new TreeSet<>(kubernetesConf().keySet()));
        keys.put("standalone/submit.sh", new TreeSet<>(props(dryRun("standalone/submit.sh",
                Map.of("SPARK_MASTER_URL", "spark://m:7077", "SPARK_AUTH_SECRET", "x"), "train").parsed()).keySet()));
        keys.put("yarn/submit.sh", new TreeSet<>(props(dryRun("yarn/submit.sh", Map.of("HADOOP_CONF_DIR",
                dir.toString()), "train").parsed()).keySet()));
        TreeSet<String> daemon = new TreeSet<>();
        Matcher d = Pattern.compile("-D(spark\\.[A-Za-z0-9.]+)=").matcher(Files.readString(
                DEPLOY.resolve("standalone/spark-env.sh")));
        while (d.find()) {
            daemon.add(d.group(1));
        }
        keys.put("standalone/spark-env.sh", daemon);
        List<String> problems = new ArrayList<>();
        keys.forEach((recipe, ks) -> ks.stream().filter(k -> k.startsWith("spark."))
                .forEach(k -> {
                    String why = SparkKeys.problem(k);
                    if (why != null) {
                        problems.add(recipe + ": " + why);
                    }
                }));
        assertEquals(List.of(), problems);
        assertTrue(keys.values().stream().mapToInt(TreeSet::size).sum() > 60, "keys checked: " + keys);
    }

    @Test
    void submitScriptsRefuseAnUnknownJob() throws Exception {
        Processes.Run run = Processes.run(List.of(DEPLOY.resolve("yarn/submit.sh").toString(), "fly"),
                Map.of("SPARK_HOME", dir.toString()), 30);
        assertEquals(2, run.exitCode());
        assertTrue(run.stderr().contains("unknown job 'fly'"), run.stderr());
    }

    @Test
    void submitScriptsPrintTheirUsageOnHelpWithoutAnyEnvironment() throws Exception {
        for (String script : List.of("standalone/submit.sh", "yarn/submit.sh")) {
            Processes.Run run = Processes.run(List.of(DEPLOY.resolve(script).toString(), "--help"), Map.of(), 30);
            assertEquals(0, run.exitCode(), script + " --help exits 0: " + run.all());
            assertTrue(run.stdout().startsWith("Submit a job to ") && run.stdout().contains("Environment: SPARK_HOME"),
                    script + " --help prints the usage at its top:\n" + run.stdout());
            assertFalse(run.stdout().contains("set -euo pipefail"), script + " prints no code: " + run.stdout());
        }
    }

    /** What a submit script would have run: its arguments and the properties file it handed over. */
    record DryRun(SparkSubmitArguments parsed, List<String> argv, String propertiesPath, String propertiesMode,
                  String propertiesDirMode) {
    }

    /**
     * Runs a submit script with spark-submit replaced by a recorder (which also copies the
     * properties file and notes its permissions while it exists), and parses what it would have
     * run with Spark's own SparkSubmitArguments.
     */
    private DryRun dryRun(String script, Map<String, String> env, String... args) throws Exception {
        Path rec = Files.createTempDirectory(dir, "dry-run");
        Processes.Run run = runScript(script, recorderEnv(env, rec), args);
        assertEquals(0, run.exitCode(), run.all());
        List<String> argv = new ArrayList<>(List.of(Files.readString(rec.resolve("args"), StandardCharsets.UTF_8)
                .split("\0")));
        String propertiesPath = "";
        int i = argv.indexOf("--properties-file");
        if (i >= 0) {
            propertiesPath = argv.get(i + 1);
            argv.set(i + 1, rec.resolve("properties").toString());
        }
        Map<String, String> sparkEnv = new HashMap<>(env);
        try {
            SparkSubmitArguments parsed = new SparkSubmitArguments(JavaConverters.asScalaBuffer(argv).toList(),
                    JavaConverters.mapAsScalaMap(sparkEnv).toMap(scala.Predef.$conforms()));
            return new DryRun(parsed, argv, propertiesPath, read(rec.resolve("properties.mode")),
                    read(rec.resolve("properties.dir-mode")));
        } catch (Exception | Error rejected) {
            fail("spark-submit rejects " + String.join(" ", argv) + ": " + rejected);
            throw rejected;
        }
    }

    private Map<String, String> recorderEnv(Map<String, String> env, Path rec) throws IOException {
        Path recorder = rec.resolve("spark-submit");
        Files.writeString(recorder, "#!/usr/bin/env bash\n"
                + "printf '%s\\0' \"$@\" > '" + rec.resolve("args") + "'\n"
                + "prev=''\nfor a in \"$@\"; do\n"
                + "  if [ \"$prev\" = --properties-file ]; then\n"
                + "    cp \"$a\" '" + rec.resolve("properties") + "'\n"
                + "    stat -c %a \"$a\" > '" + rec.resolve("properties.mode") + "'\n"
                + "    stat -c %a \"$(dirname \"$a\")\" > '" + rec.resolve("properties.dir-mode") + "'\n"
                + "  fi\n  prev=\"$a\"\ndone\n");
        recorder.toFile().setExecutable(true);
        Map<String, String> e = new HashMap<>(env);
        e.put("SPARK_SUBMIT", recorder.toString());
        return e;
    }

    /** Runs a deploy/ script with SPARK_HOME set (spark-submit as {@code env} gives it). */
    private Processes.Run runScript(String script, Map<String, String> env, String... args) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.put("SPARK_HOME", dir.toString());
        List<String> command = new ArrayList<>(List.of(DEPLOY.resolve(script).toString()));
        command.addAll(List.of(args));
        return Processes.run(command, e, 60);
    }

    private Path secretFile(String secret, String permissions) throws IOException {
        Path f = Files.createTempFile(dir, "secret", "");
        Files.writeString(f, secret + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(permissions));
        return f;
    }

    private static String read(Path f) throws IOException {
        return Files.exists(f) ? Files.readString(f).strip() : "";
    }

    /** -Dkey=value options of a JVM option string. */
    private static Map<String, String> systemProperties(String options) {
        Map<String, String> d = new HashMap<>();
        for (String o : options.trim().split("\\s+")) {
            if (o.startsWith("-D") && o.contains("=")) {
                d.put(o.substring(2, o.indexOf('=')), o.substring(o.indexOf('=') + 1));
            }
        }
        return d;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sparkApplicationSpec() throws IOException {
        Map<String, Object> app;
        try (var in = Files.newInputStream(DEPLOY.resolve("kubernetes/alexnet-train.yaml"))) {
            app = new Yaml().load(in);
        }
        assertEquals("sparkoperator.k8s.io/v1beta2", app.get("apiVersion"));
        assertEquals("SparkApplication", app.get("kind"));
        return (Map<String, Object>) app.get("spec");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> kubernetesConf() throws IOException {
        Map<String, String> conf = new LinkedHashMap<>();
        ((Map<String, Object>) sparkApplicationSpec().get("sparkConf")).forEach((k, v) -> conf.put(k, String.valueOf(v)));
        return conf;
    }

    /** The Dockerfile's ARG defaults. */
    static Map<String, String> dockerArgs() throws IOException {
        Map<String, String> args = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^ARG (\\w+)=(\\S+)$").matcher(Files.readString(DEPLOY.resolve("docker/Dockerfile")));
        while (m.find()) {
            args.put(m.group(1), m.group(2).replace("${SPARK_VERSION}", args.getOrDefault("SPARK_VERSION", "")));
        }
        return args;
    }

    private static String rootPomProperty(String name) throws IOException {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(
                Files.readString(Processes.repoRoot().resolve("pom.xml")));
        assertTrue(m.find(), "pom.xml has no property " + name);
        return m.group(1).strip();
    }

    private static Path classpathJar(String prefix) {
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (p.getFileName().toString().startsWith(prefix) && e.endsWith(".jar")) {
                return p;
            }
        }
        throw new IllegalStateException("no " + prefix + "*.jar on the test classpath");
    }

    /**
     * The aws-java-sdk-bundle version hadoop-aws depends on: its parent, hadoop-project, in the
     * Maven repository that resolved it (~/.m2/repository/org/apache/hadoop/hadoop-project/V/).
     */
    private static String awsSdkOf(Path hadoopAwsJar, String hadoop) throws IOException {
        Path pom = hadoopAwsJar.getParent().getParent().getParent().resolve("hadoop-project").resolve(hadoop)
                .resolve("hadoop-project-" + hadoop + ".pom");
        assertTrue(Files.exists(pom), "hadoop-aws's parent pom next to it: " + pom);
        Matcher m = Pattern.compile("<aws-java-sdk.version>([^<]+)</").matcher(Files.readString(pom));
        assertTrue(m.find(), "no aws-java-sdk.version in " + pom);
        return m.group(1);
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
