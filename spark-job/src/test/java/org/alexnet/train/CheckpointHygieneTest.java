package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.alexnet.archive.ModelArchive;
import org.alexnet.archive.Provenance;
import org.alexnet.archive.TestArchives;
import org.alexnet.testing.LogCapture;
import org.alexnet.testing.ScriptedFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints and the final model in real training runs whose output is on a Hadoop FileSystem
 * whose writes can be made to fail ({@link ScriptedFileSystem}): retention, a failed checkpoint
 * write retried at the next checkpoint point, two failures in a row stopping the run, and the
 * model published before the final evaluation.
 */
class CheckpointHygieneTest extends TrainingFixture {

    @BeforeAll
    static void scriptedOutputFileSystem() {
        ScriptedFileSystem.register(spark.sparkContext().hadoopConfiguration());
    }

    @AfterEach
    void plainFileSystem() {
        ScriptedFileSystem.reset();
    }

    private static List<String> outputArgs(Path out, String... more) {
        List<String> a = args(out, more);
        a.set(a.indexOf(out.toString()), ScriptedFileSystem.path(out).toString());
        return a;
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
        }
    }

    @Test
    void aFailedCheckpointWriteIsRetriedAndOnlyTheNewestCheckpointsAreKept() throws Exception {
        Path out = dir.resolve("hygiene");
        // 2 epochs of 3 rounds, a checkpoint after every round: 6 writes, the second one fails
        ScriptedFileSystem.failWrites(p -> p.getName().contains("resume-at-epoch"), Set.of(2));
        LogCapture.Result<Integer> run = LogCapture.during(() -> train(outputArgs(out, "--set", "train.epochs=2",
                "--set", "train.checkpoint.every-rounds=1", "--set", "train.checkpoint.keep=2",
                "--set", "train.eval.ten-crop-at-end=false")));
        assertEquals(0, run.value(), "the run goes on after one failed checkpoint write:\n" + run.log());
        assertTrue(run.log().matches("(?s).*ERROR CheckpointStore: checkpoint resume-at-epoch-0001-round-000002-\\S+ "
                + "could not be written \\(java.io.IOException: No space left on device \\(injected\\)\\); training "
                + "goes on and the next checkpoint point tries again.*"), run.log());
        assertTrue(run.log().contains("checkpoint resume-at-epoch-0002-round-000000-"), "the next one is written");
        List<String> checkpoints = files(out.resolve(CheckpointStore.DIR));
        assertEquals(3, checkpoints.size(), "the two newest checkpoints and the pointer, nothing partial: " + checkpoints);
        assertTrue(checkpoints.get(0).startsWith("latest.json"), checkpoints.toString());
        assertTrue(checkpoints.get(1).startsWith("resume-at-epoch-0002-round-000002-"), checkpoints.toString());
        assertTrue(checkpoints.get(2).startsWith("resume-at-epoch-0003-round-000000-"), checkpoints.toString());

        for (String name : List.of(checkpoints.get(2), "../" + ModelArchive.MODEL_FILE)) {
            byte[] file = Files.readAllBytes(out.resolve(CheckpointStore.DIR).resolve(name).normalize());
            TestArchives.entries(file).forEach((entry, content) -> assertFalse(content.length >= 2
                    && (content[0] & 0xff) == 0xAC && (content[1] & 0xff) == 0xED, name + ": " + entry
                    + " is Java-serialized"));
        }
        ModelArchive model = ModelArchive.open(out);
        Provenance p = model.provenance();
        assertEquals(2, p.epochsTrained(), "provenance: epochs trained");
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(dataset.resolve("manifest.json")))), p.dataset().manifestSha256(),
                "provenance: the dataset's manifest fingerprint");
        assertEquals(4, p.dataset().classes());
        assertEquals("centre crop", p.finalEvaluation().views(), "provenance: the final evaluation");
        assertEquals(32, p.finalEvaluation().images());
        assertEquals(2, p.lastEpoch().epoch());
        assertEquals(2, p.trainedBy().workers());
        assertEquals("local[2]", p.trainedBy().sparkMaster());
        assertEquals("columns", p.trainedBy().executor());
        assertEquals("2", model.jobConfig().get("train.checkpoint.keep"), "the job configuration");
        assertNotNull(p.gitCommit());
        assertTrue(p.runtime().java().contains(System.getProperty("java.version")), p.runtime().java());
    }

    @Test
    void twoFailedCheckpointWritesInARowStopTheRun() throws Exception {
        Path out = dir.resolve("two-failures");
        ScriptedFileSystem.failWrites(p -> p.getName().contains("resume-at-epoch"), Set.of(1, 2));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        int exit;
        try {
            exit = train(outputArgs(out, "--set", "train.epochs=1", "--set", "train.checkpoint.every-rounds=1"));
        } finally {
            System.setErr(old);
        }
        assertEquals(1, exit, "the run fails");
        assertTrue(err.toString().contains("two checkpoint writes in a row failed"), err.toString());
        assertFalse(Files.exists(out.resolve(ModelArchive.MODEL_FILE)), "no model is written");
        assertEquals(List.of(), files(out.resolve(CheckpointStore.DIR)), "and no partial checkpoint is left");
    }

    @Test
    void theModelIsPublishedBeforeTheFinalEvaluation() throws Exception {
        Path out = dir.resolve("model-first");
        // the model's second write, with the final evaluation, fails: the first one stays
        ScriptedFileSystem.failWrites(p -> p.getName().contains(ModelArchive.MODEL_FILE), Set.of(2));
        LogCapture.Result<Integer> run = LogCapture.during(() -> train(outputArgs(out, "--set", "train.epochs=1")));
        assertEquals(1, run.value(), run.log());
        String log = run.log();
        assertTrue(log.indexOf("model.zip published (before the final evaluation)") < log.indexOf("final evaluation (10 views)")
                && log.contains("final evaluation (10 views)"), log);
        ModelArchive model = ModelArchive.open(out);
        assertNull(model.provenance().finalEvaluation(), "the model written before the final evaluation");
        assertEquals(1, model.provenance().lastEpoch().epoch());
        assertTrue(model.graph().params().length() > 0, "loads");
    }
}
