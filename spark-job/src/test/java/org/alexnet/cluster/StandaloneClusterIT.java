package org.alexnet.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.alexnet.archive.ModelArchive;
import org.alexnet.sample.SampleImages;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone recipe as a user runs it: PreprocessImageNet and TrainAlexNet submitted with
 * deploy/standalone/submit.sh (Spark's own spark-submit, deploy/conf/spark-defaults-cpu.conf as
 * the properties file, only the resource sizes this machine cannot give overridden through the
 * script's EXTRA_SPARK_ARGS) to a cluster of separate JVMs set up per deploy/README.md
 * ({@link StandaloneCluster}: a master and {@link #WORKERS} one-core workers, authentication, RPC
 * and local-disk encryption on): the master refuses clients without the secret; every executor
 * trains the small preset (train.workers = WORKERS), the averaged model learns, and the test's own
 * listener on the driver ({@link DriverInboundListener}) sees at most 1.1 model states reach the
 * driver per round; a worker and its executor killed in the middle of a round still let the job
 * finish, with exactly the parameters of the uninterrupted run (the same averaging rule: the lost
 * worker's part is recomputed, not dropped); the secret never shows on a command line. Then
 * deploy/slurm/alexnet.sbatch bootstraps its own cluster from what Slurm would set, and the
 * averaged tiny model learns the sample classes on it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    /** Workers of the cluster, one executor and one training task each (-Dalexnet.it.workers=N). */
    static final int WORKERS = Integer.getInteger("alexnet.it.workers", 4);
    /** Nodes of the Slurm allocation the batch script bootstraps (its own master and workers). */
    static final int SLURM_NODES = 2;
    /** Epochs of the Slurm run: enough for the averaged tiny model to learn the sample classes. */
    static final int SLURM_EPOCHS = 4;
    /** Epochs of the two small-preset runs on the standalone cluster. */
    static final int EPOCHS = 2;
    /**
     * What this 2-core machine can give instead of the template's sizes (8 cores and 8 GB per
     * executor, an 8 GB driver); every other setting comes from the template.
     */
    static final String RESOURCES = "--conf spark.executor.cores=1 --conf spark.task.cpus=1 "
            + "--conf spark.executor.memory=1g --conf spark.driver.memory=1g --conf spark.cores.max=" + WORKERS;
    /** The test's listener of what the driver receives, on the driver's classpath with the test classes. */
    static String inboundListener(Path file) {
        return " --driver-class-path " + Path.of(System.getProperty("user.dir"), "target", "test-classes")
                + " --conf spark.extraListeners=" + DriverInboundListener.class.getName()
                + " --conf spark.alexnet.it.inbound-file=" + file;
    }

    @TempDir
    static Path dir;
    static StandaloneCluster cluster;
    static CommandLineWatch secretWatch;
    static Path dataset;

    @BeforeAll
    static void startClusterAndPreprocess() throws Exception {
        cluster = new StandaloneCluster(dir.resolve("cluster"), WORKERS, 1, "2g");
        secretWatch = new CommandLineWatch(List.of(cluster.secret()));
        Path raw = dir.resolve("raw");
        SampleImages.write(raw, 4, 24, 8, 3);
        dataset = dir.resolve("dataset");
        Submitted pre = submit("preprocess", "preprocess", "--input", raw.toString(), "--output",
                dataset.toString(), "--images-per-task", "50", "--set", "preprocess.max-rejected-fraction=0.1");
        assertEquals(0, pre.await(), pre.log());
        assertTrue(Files.exists(dataset.resolve("_SUCCESS")), pre.log());
    }

    @AfterAll
    static void stopCluster() {
        if (secretWatch != null) {
            secretWatch.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(0)
    void theMasterRefusesAClientWithoutTheSecret() {
        SparkConf withSecret = new SparkConf().set("spark.authenticate", "true")
                .set("spark.authenticate.secret", cluster.secret()).set("spark.network.crypto.enabled", "true");
        MasterProbe.connect(cluster.masterUrl(), withSecret); // the same client with the secret gets an answer
        Exception none = assertThrows(Exception.class, () -> MasterProbe.connect(cluster.masterUrl(), new SparkConf()),
                "a client without authentication reached the master");
        // the master's authentication handler answered the unauthenticated request with its refusal
        assertTrue(causes(none).contains("Expected SaslMessage"), causes(none));
        Exception wrong = assertThrows(Exception.class, () -> MasterProbe.connect(cluster.masterUrl(),
                withSecret.clone().set("spark.authenticate.secret", "not-" + cluster.secret())),
                "a client with a wrong secret reached the master");
        assertFalse(causes(wrong).contains("Cannot find endpoint"), causes(wrong));
    }

    private static String causes(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            s.append(c).append('\n');
        }
        return s.toString();
    }

    @Test
    @Order(1)
    void everyExecutorTrainsAndTheDriverReceivesOneStatePerRound() throws Exception {
        Path out = dir.resolve("run1");
        Submitted train = submitWith(inboundListener(dir.resolve("run1-inbound.tsv")), "train1", "train",
                trainArgs(out, EPOCHS, "small"));
        assertEquals(0, train.await(), train.log());
        assertComplete(out, EPOCHS, train.log());
        for (int w = 0; w < WORKERS; w++) {
            String log = executorLogs(cluster.workDir(w));
            // each worker's executor logged the chunks it trained
            assertTrue(log.matches("(?s).*round \\d+: worker \\d+ trained \\d+ images on executor \\d+.*"),
                    "worker " + w + "'s executor trained nothing:\n" + log);
            // the worker started it (its command heads the log) with the template's security settings
            String command = log.lines().filter(l -> l.startsWith("Spark Executor Command:")).findFirst().orElse("");
            for (String on : List.of("-Dspark.authenticate=true", "-Dspark.network.crypto.enabled=true")) {
                assertTrue(command.contains(on), "worker " + w + "'s executor without " + on + ": " + command);
            }
        }
        assertTrue(metrics(out).stream().allMatch(e -> Double.isFinite(e[0])), "finite training losses");
        assertOneStatePerRound(out, dir.resolve("run1-inbound.tsv"), train.log());
    }

    @Test
    @Order(2)
    void killingAWorkerMidRoundStillFinishesWithTheParametersOfTheUninterruptedRun() throws Exception {
        Path out = dir.resolve("run2");
        Submitted train = submitWith(inboundListener(dir.resolve("run2-inbound.tsv")), "train2", "train",
                trainArgs(out, EPOCHS, "small"));
        // the last worker's executor has trained its part of a round of epoch 2: the round is still
        // averaging (its pieces are in that executor's shuffle files) when the machine goes
        awaitExecutorLog(train, WORKERS - 1, Pattern.compile("epoch 2 round 1: worker \\d+ trained"), 300);
        cluster.killWorker(WORKERS - 1);
        assertEquals(0, train.await(), train.log());
        assertTrue(train.log().matches("(?s).*(Lost executor|Executor app-\\S+ removed).*"),
                "the driver saw the executor go:\n" + train.log());
        assertComplete(out, EPOCHS, train.log());
        assertOneStatePerRound(out, dir.resolve("run2-inbound.tsv"), train.log());
        float[] uninterrupted = ModelArchive.open(dir.resolve("run1").resolve("model.zip")).parameters().toFloatVector();
        float[] killed = ModelArchive.open(out.resolve("model.zip")).parameters().toFloatVector();
        assertArrayEquals(uninterrupted, killed, "the run that lost a worker mid-round ends with exactly the "
                + "uninterrupted run's parameters: every round still averaged all " + WORKERS + " workers' states");
    }

    /** Every round's bytes into the driver, as the test's listener counted them: one state, at most 1.1 of it. */
    private static void assertOneStatePerRound(Path out, Path inbound, String log) throws Exception {
        long stateBytes = 2L * Float.BYTES * ModelArchive.open(out.resolve("model.zip")).parameters().length();
        List<String> rounds = Files.readAllLines(inbound).stream().filter(l -> l.startsWith("epoch ")).toList();
        assertEquals(EPOCHS * roundsPerEpoch(log), rounds.size(), "a line per round: " + rounds);
        for (String round : rounds) {
            long bytes = Long.parseLong(round.split("\t")[1]);
            assertTrue(bytes >= stateBytes && bytes <= 1.1 * stateBytes, round.split("\t")[0] + ": the driver received "
                    + bytes + " bytes, one state is " + stateBytes + " (at most 1.1 x)");
        }
    }

    /** "... = N rounds per epoch" from the driver's log. */
    private static int roundsPerEpoch(String log) {
        Matcher m = Pattern.compile("= (\\d+) rounds per epoch").matcher(log);
        assertTrue(m.find(), log);
        return Integer.parseInt(m.group(1));
    }

    /** Waits until worker {@code w}'s executor of this job's application logged a line matching {@code line}. */
    private static void awaitExecutorLog(Submitted job, int w, Pattern line, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Pattern app = Pattern.compile("with app ID (app-\\S+)");
        while (System.nanoTime() < deadline) {
            if (!job.process().isAlive()) {
                throw new IllegalStateException("the job ended before worker " + w + " logged " + line + ":\n" + job.log());
            }
            Matcher id = app.matcher(job.log());
            Path appDir = id.find() ? cluster.workDir(w).resolve(id.group(1)) : null;
            if (appDir != null && Files.isDirectory(appDir) && line.matcher(executorLogs(appDir)).find()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("worker " + w + " did not log " + line + " in " + seconds + " s:\n" + job.log());
    }

    @Test
    @Order(3)
    void theSecretNeverShowedOnACommandLine() {
        secretWatch.scan();
        assertTrue(secretWatch.scans() > 20, "command lines watched through the runs: " + secretWatch.scans() + " scans");
        assertEquals(Set.of(), secretWatch.offenders(), "processes whose command line holds the secret");
    }

    /**
     * deploy/slurm/alexnet.sbatch run as Slurm would run it on a SLURM_NODES-node allocation: its
     * environment (SLURM_JOB_ID, SLURM_JOB_NODELIST, SLURM_JOB_NUM_NODES, SLURM_CPUS_PER_TASK,
     * SLURM_NODEID, SLURM_TMPDIR), srun running each step's tasks on this machine and scontrol
     * answering the two questions the script asks (test stubs), the real master and workers it
     * starts with the recipe's security, the dataset already there (preprocessing skipped, as the
     * script does when _SUCCESS exists), training with --resume from nothing. Runs after the
     * standalone cluster is stopped.
     */
    @Test
    @Order(4)
    void theSlurmScriptBootstrapsASecuredClusterAndTrains() throws Exception {
        cluster.close();
        Path stubs = dir.resolve("slurm-bin");
        SparkHome.copyExecutable("/slurm/srun", stubs.resolve("srun"));
        SparkHome.copyExecutable("/slurm/scontrol", stubs.resolve("scontrol"));
        Path tmp = Files.createDirectories(dir.resolve("slurm-tmp"));
        Path batch = StandaloneCluster.repoRoot().resolve("deploy/slurm/alexnet.sbatch");
        int port = StandaloneCluster.freePort();
        Map<String, String> env = new HashMap<>(Map.of("SPARK_HOME", cluster.sparkHome().toString(),
                "SPARK_SCALA_VERSION", "2.12", "SPARK_LOCAL_IP", "127.0.0.1", "SPARK_DAEMON_MEMORY", "512m",
                "JAVA_HOME", System.getProperty("java.home"), "EXTRA_SPARK_ARGS", RESOURCES,
                "SPARK_CONF_DIR", Files.createDirectories(dir.resolve("slurm-conf")).toString(),
                "PATH", stubs + ":" + System.getenv("PATH")));
        env.putAll(Map.of("SLURM_JOB_ID", "4242", "SLURM_JOB_NODELIST", "localhost",
                "SLURM_JOB_NUM_NODES", Integer.toString(SLURM_NODES), "SLURM_CPUS_PER_TASK", "1", "SLURM_NODEID", "0",
                "SLURM_TMPDIR", tmp.toString(), "SPARK_WORKER_MEMORY_GB", "2", "ALEXNET_TEST_BATCH_SCRIPT",
                batch.toString(), "SPARK_MASTER_PORT", Integer.toString(port),
                "SPARK_MASTER_WEBUI_PORT", Integer.toString(StandaloneCluster.freePort())));
        Path out = dir.resolve("slurm-run");
        List<String> command = new ArrayList<>(List.of(batch.toString(), dir.resolve("raw").toString(),
                dataset.toString(), out.toString()));
        String[] tiny = trainArgs(out, SLURM_EPOCHS, "tiny");
        command.addAll(List.of(tiny).subList(4, tiny.length)); // the --set options
        Submitted job = Submitted.start(command, env, dir.resolve("slurm.log"));
        // the job's secret, from its master's environment, watched for on every command line
        String secret = awaitMasterSecret(job, port);
        try (CommandLineWatch watch = new CommandLineWatch(List.of(secret))) {
            assertEquals(0, job.await(), job.log());
            assertEquals(Set.of(), watch.offenders(), "processes whose command line holds the Slurm job's secret");
        }
        assertFalse(job.log().contains("preprocessing (PreprocessImageNet)") || job.log().contains("PreprocessJob"),
                "a complete dataset is not preprocessed again");
        assertTrue(job.log().contains("--resume: no checkpoint under"), "a first run resumes from nothing:\n" + job.log());
        assertComplete(out, SLURM_EPOCHS, job.log());
        List<double[]> epochs = metrics(out);
        double[] first = epochs.get(0);
        double[] last = epochs.get(epochs.size() - 1);
        assertTrue(last[0] < first[0], "train loss fell: " + first[0] + " -> " + last[0]);
        assertTrue(last[1] < 0.4, "validation top-1 error after " + SLURM_EPOCHS + " epochs (chance 0.75): " + last[1]);
        for (int node = 0; node < SLURM_NODES; node++) {
            String log = executorLogs(tmp.resolve("spark-4242").resolve(Integer.toString(node)));
            assertTrue(log.contains("images on executor"), "node " + node + "'s worker trained nothing:\n" + log);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (daemonsOf(port) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertEquals(0, daemonsOf(port), "the script stopped the master and workers it started");
    }

    /** The _SPARK_AUTH_SECRET in the environment of the master listening on {@code port}. */
    private static String awaitMasterSecret(Submitted job, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && job.process().isAlive()) {
            for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
                String cmd = commandLine(p.pid());
                if (cmd.contains("org.apache.spark.deploy.master.Master") && cmd.contains("--port " + port)) {
                    for (String v : Files.readString(Path.of("/proc", Long.toString(p.pid()), "environ"),
                            StandardCharsets.UTF_8).split("\0")) {
                        if (v.startsWith("_SPARK_AUTH_SECRET=") && v.length() > "_SPARK_AUTH_SECRET=".length()) {
                            return v.substring("_SPARK_AUTH_SECRET=".length());
                        }
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no master with a secret in its environment:\n" + job.log());
    }

    /** Processes still running the Slurm job's master or workers. */
    private static long daemonsOf(int masterPort) {
        return ProcessHandle.allProcesses().map(p -> commandLine(p.pid()))
                .filter(c -> c.contains("org.apache.spark.deploy.") && c.contains(":" + masterPort)
                        || c.contains("--port " + masterPort)).count();
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }

    /** The training settings; {@code preset} small or tiny, each with a learning rate and init that learn the sample data. */
    private static String[] trainArgs(Path out, int epochs, String preset) {
        int workers = preset.equals("tiny") ? SLURM_NODES : WORKERS;
        return new String[] {"--data", dataset.toString(), "--output", out.toString(),
                "--set", "model.preset=" + preset, "--set", "model.classes=4",
                "--set", "model.init-std=" + (preset.equals("tiny") ? "0.05" : "0.02"),
                "--set", "model.dropout=0", "--set", "train.workers=" + workers, "--set", "train.batch-size=8",
                "--set", "train.averaging-frequency=2", "--set", "train.decode-threads=1",
                "--set", "train.eval.batch-size=16", "--set", "train.epochs=" + epochs};
    }

    static void assertComplete(Path out, int epochs, String log) throws Exception {
        File model = out.resolve("model.zip").toFile();
        assertTrue(model.isFile(), log);
        ModelArchive saved = ModelArchive.open(model.toPath());
        assertEquals(4, saved.model().classes());
        assertEquals(4, saved.classes().size());
        assertEquals(epochs, Files.readAllLines(out.resolve("metrics.jsonl")).size());
        assertTrue(Files.size(out.resolve("curves.png")) > 0);
        try (Stream<Path> c = Files.list(out.resolve("checkpoints"))) {
            assertTrue(c.findAny().isPresent(), "checkpoints written");
        }
    }

    /** [train loss, validation top-1 error] per epoch, from metrics.jsonl. */
    private static List<double[]> metrics(Path out) throws Exception {
        List<double[]> rows = new ArrayList<>();
        Pattern loss = Pattern.compile("\"train_loss\":([-0-9.eE]+)");
        Pattern top1 = Pattern.compile("\"top1_error\":([-0-9.eE]+)");
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            Matcher l = loss.matcher(line);
            Matcher t = top1.matcher(line);
            assertTrue(l.find() && t.find(), line);
            rows.add(new double[] {Double.parseDouble(l.group(1)), Double.parseDouble(t.group(1))});
        }
        return rows;
    }

    static String executorLogs(Path workDir) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(workDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
                all.append(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        return all.toString();
    }

    /** A command run in its own process, its output in a log file. */
    record Submitted(Process process, Path logFile) {
        int await() throws Exception {
            if (!process.waitFor(8, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("did not finish:\n" + log());
            }
            return process.exitValue();
        }

        String log() throws Exception {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        }

        static Submitted start(List<String> command, Map<String, String> env, Path log) throws Exception {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            return new Submitted(pb.start(), log);
        }
    }

    /** deploy/standalone/submit.sh JOB ARGS with the cluster's environment, as a user runs it. */
    private static Submitted submit(String name, String job, String... args) throws Exception {
        return submitWith("", name, job, args);
    }

    /** The same with {@code extraSparkArgs} added to the resources in EXTRA_SPARK_ARGS. */
    private static Submitted submitWith(String extraSparkArgs, String name, String job, String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of(StandaloneCluster.repoRoot().resolve("deploy/standalone/submit.sh")
                .toString(), job));
        c.addAll(List.of(args));
        Map<String, String> env = new HashMap<>(cluster.env());
        env.put("SPARK_MASTER_URL", cluster.masterUrl());
        env.put("EXTRA_SPARK_ARGS", RESOURCES + extraSparkArgs);
        return Submitted.start(c, env, dir.resolve(name + ".log"));
    }
}
