package org.alexnet.cluster;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster of separate JVMs on loopback: one Master and N Workers started from
 * the Spark jars Maven resolved ({@link #sparkClasspath}), with a SPARK_HOME whose jars/ links to
 * them (Workers build their executors' classpath from it), and spark.authenticate on
 * with a shared secret. Every JVM logs to its own file under the cluster directory.
 */
final class StandaloneCluster implements AutoCloseable {
    static final String SECRET = "alexnet-it-" + Long.toHexString(System.nanoTime());

    private final Path dir;
    private final String classpath;
    private final Path sparkHome;
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();
    private final String masterUrl;

    StandaloneCluster(Path dir, int workerCount, int workerCores, String workerMemory) throws Exception {
        this.dir = dir;
        this.classpath = sparkClasspath();
        this.sparkHome = dir.resolve("spark-home");
        Files.createDirectories(sparkHome.resolve("jars"));
        for (String jar : classpath.split(":")) {
            Path j = Path.of(jar);
            Path link = sparkHome.resolve("jars").resolve(j.getFileName());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, j);
            }
        }
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

    /** java with the project's Java 17 flags and the Spark classpath, as bin/spark-class would run it. */
    List<String> javaCommand(String heap, String mainClass) throws IOException {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // (mutable: callers add options after the java binary)
        c.addAll(jvmOptions());
        c.add("-Xmx" + heap);
        c.add("-cp");
        c.add(classpath);
        c.add(mainClass);
        return c;
    }

    /** The environment of every cluster JVM. */
    Map<String, String> env() {
        return Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.12", "SPARK_LOCAL_IP", "127.0.0.1",
                "SPARK_CONF_DIR", dir.resolve("no-conf").toString());
    }

    /**
     * Spark and its dependencies, as a Spark distribution's jars/ holds them: the Maven-resolved
     * classpath of this test minus the project's own modules and the libraries that reach the
     * cluster inside the shaded jar (DL4J, ND4J, JavaCPP presets) or only serve the tests.
     */
    static String sparkClasspath() {
        List<String> app = List.of("/alexnet-", "/target/", "/org/deeplearning4j/", "/org/nd4j/", "/org/bytedeco/",
                "/org/datavec/", "/org/junit/", "/org/opentest4j/", "/org/apiguardian/", "/org/yaml/snakeyaml/");
        List<String> jars = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.endsWith(".jar") && app.stream().noneMatch(e::contains)) {
                jars.add(e);
            }
        }
        if (jars.stream().noneMatch(j -> j.contains("spark-core_2.12"))) {
            throw new IllegalStateException("spark-core is not on the test classpath");
        }
        return String.join(File.pathSeparator, jars);
    }

    static List<String> jvmOptions() throws IOException {
        return Files.readAllLines(repoRoot().resolve("conf/jvm-options")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("user.dir")).getParent();
    }

    private Process start(String name, String mainClass, String... args) throws IOException {
        List<String> c = javaCommand("512m", mainClass);
        // as SPARK_MASTER_OPTS / SPARK_WORKER_OPTS would: the daemons and executors share the secret
        c.addAll(1, List.of("-Dspark.authenticate=true", "-Dspark.authenticate.secret=" + SECRET));
        c.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
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

    private static int freePort() throws IOException {
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
