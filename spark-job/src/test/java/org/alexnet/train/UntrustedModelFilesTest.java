package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.alexnet.archive.ModelArchive;
import org.alexnet.archive.TestArchives;
import org.alexnet.classify.Classify;
import org.alexnet.model.AlexNetConfig;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files from elsewhere through the real entry points (classify, evaluate, train --resume):
 * a model.zip or checkpoint with an entry replaced by a serialized nested-HashSet bomb or by an
 * object of a class no reader allows, or one in the earlier Java-serialized format, is refused
 * within a second with an error that names the problem, and nothing in it is deserialized.
 */
class UntrustedModelFilesTest {
    private static final long REFUSAL_MS = 1000;
    @TempDir
    static Path dir;
    static SparkSession spark;
    static byte[] model;
    static byte[] checkpoint;
    static Path data;

    @BeforeAll
    static void sessionAndFiles() throws Exception {
        spark = SparkSession.builder().master("local[1]").appName("UntrustedModelFilesTest")
                .config("spark.ui.enabled", "false").getOrCreate();
        AlexNetConfig config = TestArchives.tiny(4);
        ComputationGraph graph = TestArchives.trained(config);
        model = TestArchives.bytes(TestArchives.model(graph, config));
        ResumeState state = new ResumeState(2, 0, 0, 0, Map.of(), List.of(), "2030-01-01T00:00:00Z");
        checkpoint = TestArchives.bytes(TestArchives.checkpoint(graph, config, state));
        // the model is refused before the dataset is read: a marker of a complete dataset suffices
        data = Files.createDirectories(dir.resolve("dataset"));
        Files.createFile(data.resolve("_SUCCESS"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Hostile variants of a file: entry replaced by a payload, named for messages. */
    private static Map<String, byte[]> hostile(byte[] archive) throws Exception {
        return Map.of(
                "classes.json replaced by a HashSet bomb", TestArchives.withEntry(archive, "classes.json",
                        TestArchives.hashSetBomb()),
                "provenance.json replaced by a forbidden object", TestArchives.withEntry(archive, "provenance.json",
                        TestArchives.forbiddenObject()),
                "parameters.bin replaced by a HashSet bomb", TestArchives.withEntry(archive, "parameters.bin",
                        TestArchives.hashSetBomb()),
                "an earlier-format file of bombs", TestArchives.zip(Map.of("configuration.json", new byte[] {'{', '}'},
                        "objects/alexnet-config", TestArchives.hashSetBomb())));
    }

    /** Runs the command on each hostile file and checks exit code, message and time. */
    private static void assertRefused(String command, byte[] archive, Function<Path, Run> run, int exit,
                                      String message) throws Exception {
        TestArchives.Tripwire.deserialized = false;
        int i = 0;
        for (Map.Entry<String, byte[]> h : hostile(archive).entrySet()) {
            Path where = Files.createDirectories(dir.resolve(command + "-" + i++));
            Path file = where.resolve("model.zip");
            Files.write(file, h.getValue());
            long t0 = System.nanoTime();
            Run r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run.apply(where), command + ": " + h.getKey());
            double ms = (System.nanoTime() - t0) / 1e6;
            assertEquals(exit, r.exit(), command + ", " + h.getKey() + ": " + r.err());
            assertTrue(r.err().contains(message), command + ", " + h.getKey() + ": " + r.err());
            assertTrue(r.err().contains("Java serialization stream (magic 0xACED)") || r.err().contains("shorter than")
                    || r.err().contains("earlier version"), command + ", " + h.getKey() + ": says why: " + r.err());
            assertTrue(ms < REFUSAL_MS, command + ", " + h.getKey() + ": refused in " + ms + " ms");
            System.out.printf("%s, %s: refused in %.0f ms%n", command, h.getKey(), ms);
        }
        assertFalse(TestArchives.Tripwire.deserialized, command + ": no payload object was deserialized");
    }

    record Run(int exit, String err) {
    }

    private static Run capture(java.util.function.BiFunction<PrintStream, PrintStream, Integer> command) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = command.apply(new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true));
        return new Run(exit, err.toString());
    }

    @Test
    void classifyRefusesAHostileModel() throws Exception {
        assertRefused("classify", model, where -> capture((out, err) -> Classify.run(new String[] {
            "--model", where.toString(), where.resolve("any.jpg").toString()}, out, err)), 2, "classify: ");
    }

    @Test
    void evaluateRefusesAHostileModel() throws Exception {
        assertRefused("evaluate", model, where -> capture((out, err) -> EvaluateModel.run(new String[] {
            "--model", where.toString(), "--data", data.toString()}, spark, out, err)), 2, "evaluate: ");
    }

    @Test
    void resumeRefusesAHostileCheckpoint() throws Exception {
        assertRefused("resume", checkpoint, where -> {
            try {
                Path checkpoints = Files.createDirectories(where.resolve(CheckpointStore.DIR));
                Files.move(where.resolve("model.zip"),
                        checkpoints.resolve("resume-at-epoch-0002-round-000000-20300101T000000000Z-abcd.zip"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            PrintStream old = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true));
            try {
                int exit = TrainAlexNet.run(new String[] {"--data", data.toString(), "--output", where.toString(),
                    "--set", "model.preset=tiny", "--set", "model.classes=4", "--resume"}, spark);
                return new Run(exit, err.toString());
            } finally {
                System.setErr(old);
            }
        }, 1, "TrainAlexNet: training failed: ");
    }

    @Test
    void aFreshModelOfTheSameContentIsAccepted() throws Exception {
        Path where = Files.createDirectories(dir.resolve("accepted"));
        Files.write(where.resolve(ModelArchive.MODEL_FILE), model);
        assertEquals(4, ModelArchive.open(where).classes().size(), "the unmodified file opens");
    }
}
