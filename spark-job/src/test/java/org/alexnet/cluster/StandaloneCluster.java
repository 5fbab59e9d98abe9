package org.alexnet.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster of separate JVMs on loopback, set up as deploy/README.md tells a
 * user to: one Master and N Workers started with bin/spark-class from a Spark installation
 * ({@link SparkHome}), SPARK_CONF_DIR holding the recipe's spark-env.sh (authentication, RPC
 * encryption, no UI kill), and the shared secret in a mode-600 file named by
 * SPARK_AUTH_SECRET_FILE, never on a command line. Every JVM logs to its own file.
 */
final class StandaloneCluster implements AutoCloseable {
    private final Path dir;
    private final Path sparkHome;
    private final Path secretFile;
    private final String secret;
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();
    private final String masterUrl;

    StandaloneCluster(Path dir, int workerCount, int workerCores, String workerMemory) throws Exception {
        this.dir = dir;
        this.sparkHome = SparkHome.create(dir.resolve("spark-home"));
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.secret = HexFormat.of().formatHex(random);
        this.secretFile = dir.resolve("spark-secret");
        Files.writeString(secretFile, secret + "\n");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        int port = freePort();
        masterUrl = "spark://127.0.0.1:" + port;
        Process master = start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort()));
        awaitLog(master, dir.resolve("master.log"), "I have been elected leader", 120);
        for (int i = 0; i < workerCount; i++) {
            Path work = dir.resolve("worker" + i);
            Files.createDirectories(work);
            Process w = start("worker" + i, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--cores", Integer.toString(workerCores), "--memory", workerMemory, "--work-dir", work.toString(),
                    "--webui-port", Integer.toString(freePort()), masterUrl);
            workers.add(w);
        }
        for (int i = 0; i < workerCount; i++) {
            awaitLog(workers.get(i), dir.resolve("worker" + i + ".log"), "Successfully registered with master", 120);
        }
    }

    String masterUrl() {
        return masterUrl;
    }

    /** The shared secret (for checks; the cluster's JVMs read it from {@link #env()}'s file). */
    String secret() {
        return secret;
    }

    Path sparkHome() {
        return sparkHome;
    }

    Path log(String name) {
        return dir.resolve(name + ".log");
    }

    /** The work directory of worker i: app-*&#47;EXECUTOR_ID/stderr holds each executor's log. */
    Path workDir(int i) {
        return dir.resolve("worker" + i);
    }

    /** Kills worker i's JVM and the executor JVMs it started, as a machine failure would. */
    void killWorker(int i) {
        Process w = workers.get(i);
        w.descendants().forEach(ProcessHandle::destroyForcibly);
        w.destroyForcibly();
    }

    /**
     * The environment of every cluster JVM and of submit.sh, as on a node set up per
     * deploy/README.md: SPARK_HOME, SPARK_CONF_DIR with the recipe's spark-env.sh, the secret file.
     */
    Map<String, String> env() {
        return Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.12",
                "SPARK_LOCAL_IP", "127.0.0.1", "SPARK_CONF_DIR", repoRoot().resolve("deploy/standalone").toString(),
                "SPARK_AUTH_SECRET_FILE", secretFile.toString(), "SPARK_DAEMON_MEMORY", "512m",
                "JAVA_HOME", System.getProperty("java.home"));
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("user.dir")).getParent();
    }

    private Process start(String name, String mainClass, String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of(sparkHome.resolve("bin/spark-class").toString(), mainClass));
        c.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(log(name).toFile());
        pb.environment().putAll(env());
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** Waits until the log file of a running process contains {@code text}. */
    static void awaitLog(Process p, Path log, String text, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("process exited before '" + text + "':\n" + Files.readString(log));
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("no '" + text + "' in " + log + " after " + seconds + " s:\n"
                + (Files.exists(log) ? Files.readString(log) : ""));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
