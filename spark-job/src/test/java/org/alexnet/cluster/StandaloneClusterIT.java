package org.alexnet.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.alexnet.archive.ModelArchive;
import org.alexnet.sample.SampleImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * PreprocessImageNet and TrainAlexNet submitted with Spark's own SparkSubmit and the shaded jar
 * to a standalone cluster of separate JVMs (a master and two one-core workers, authentication on):
 * both executors train and the averaged model learns; then a worker and its executor are killed
 * in the middle of training and the job still finishes with a complete, loadable output.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    @TempDir
    static Path dir;
    static StandaloneCluster cluster;
    static Path dataset;

    @BeforeAll
    static void startClusterAndPreprocess() throws Exception {
        cluster = new StandaloneCluster(dir.resolve("cluster"), 2, 1, "2g");
        Path raw = dir.resolve("raw");
        SampleImages.write(raw, 4, 24, 8, 3);
        dataset = dir.resolve("dataset");
        Submitted pre = submit("preprocess", "PreprocessImageNet", "--input", raw.toString(), "--output",
                dataset.toString(), "--images-per-task", "50", "--set", "preprocess.max-rejected-fraction=0.1");
        assertEquals(0, pre.await(), pre.log());
        assertTrue(Files.exists(dataset.resolve("_SUCCESS")), pre.log());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void bothExecutorsTrainAndTheAveragedModelLearns() throws Exception {
        Path out = dir.resolve("run1");
        Submitted train = submit("train1", "TrainAlexNet", trainArgs(out, 4));
        assertEquals(0, train.await(), train.log());
        assertComplete(out, 4, train.log());
        // each worker's executor logged the chunks it trained
        for (int w = 0; w < 2; w++) {
            String log = executorLogs(cluster.workDir(w));
            assertTrue(log.matches("(?s).*round \\d+: worker \\d trained \\d+ images on executor \\d+.*"),
                    "worker " + w + "'s executor trained nothing:\n" + log);
        }
        List<double[]> epochs = metrics(out);
        double[] first = epochs.get(0);
        double[] last = epochs.get(epochs.size() - 1);
        assertTrue(last[0] < first[0], "train loss fell: " + first[0] + " -> " + last[0]);
        assertTrue(last[1] < 0.4, "validation top-1 error after 4 epochs (chance 0.75): " + last[1]);
    }

    @Test
    @Order(2)
    void killingAWorkerMidTrainingStillFinishesWithACompleteOutput() throws Exception {
        Path out = dir.resolve("run2");
        Submitted train = submit("train2", "TrainAlexNet", trainArgs(out, 3));
        StandaloneCluster.awaitLog(train.process(), train.logFile(), "epoch 2/3 round 2/", 240);
        cluster.killWorker(1);
        assertEquals(0, train.await(), train.log());
        assertTrue(train.log().matches("(?s).*(Lost executor|Executor app-\\S+ removed).*"),
                "the driver saw the executor go:\n" + train.log());
        assertComplete(out, 3, train.log());
    }

    private static String[] trainArgs(Path out, int epochs) {
        return new String[] {"--data", dataset.toString(), "--output", out.toString(),
                "--set", "model.preset=tiny", "--set", "model.classes=4", "--set", "model.init-std=0.05",
                "--set", "model.dropout=0", "--set", "train.workers=2", "--set", "train.batch-size=8",
                "--set", "train.averaging-frequency=2", "--set", "train.decode-threads=1",
                "--set", "train.eval.batch-size=16", "--set", "train.epochs=" + epochs};
    }

    private static void assertComplete(Path out, int epochs, String log) throws Exception {
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

    private static String executorLogs(Path workDir) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(workDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
                all.append(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        return all.toString();
    }

    /** A spark-submit run in its own JVM. */
    record Submitted(Process process, Path logFile) {
        int await() throws Exception {
            if (!process.waitFor(8, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("spark-submit did not finish:\n" + log());
            }
            return process.exitValue();
        }

        String log() throws Exception {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        }
    }

    /** SparkSubmit's main with the shaded jar, in client mode, exactly as bin/spark-submit runs it. */
    private static Submitted submit(String name, String mainClass, String... args) throws Exception {
        Path jar = StandaloneCluster.repoRoot().resolve("spark-job/target/alexnet-spark-job-0.1.0-SNAPSHOT-shaded.jar");
        String executorOpts = String.join(" ", StandaloneCluster.jvmOptions())
                + " -Dorg.bytedeco.javacpp.maxbytes=2G -Dorg.bytedeco.javacpp.maxphysicalbytes=3G";
        List<String> c = cluster.javaCommand("1g", "org.apache.spark.deploy.SparkSubmit");
        c.addAll(1, List.of("-Dorg.bytedeco.javacpp.maxbytes=2G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=3G",
                "-Dlog4j2.configurationFile=" + StandaloneCluster.repoRoot().resolve("conf/log4j2.properties")));
        c.addAll(List.of("--master", cluster.masterUrl(), "--deploy-mode", "client", "--name", name,
                "--conf", "spark.authenticate=true", "--conf", "spark.authenticate.secret=" + StandaloneCluster.SECRET,
                "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2",
                "--conf", "spark.executor.extraJavaOptions=" + executorOpts,
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.ui.enabled=false",
                "--class", mainClass, jar.toString()));
        c.addAll(List.of(args));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(cluster.env());
        return new Submitted(pb.start(), log);
    }
}
