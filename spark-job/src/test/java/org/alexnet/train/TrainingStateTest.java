package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.alexnet.archive.ModelArchive;
import org.alexnet.archive.Provenance;
import org.alexnet.archive.TestArchives;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.testing.LogCapture;
import org.alexnet.testing.ScriptedFileSystem;
import org.alexnet.train.averaging.AveragedRound;
import org.alexnet.train.averaging.ShardPlan;
import org.alexnet.train.data.Example;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;
import scala.Tuple3;
import scala.runtime.AbstractFunction1;

/**
 * Averaging, exact resume, interrupted and failing checkpoint writes, checkpoint retention, the
 * model published before the final evaluation, and a diverging run, on the same local[2] session
 * and dataset as {@link TrainAlexNetTest}, each class with its own. Failing writes come from a
 * real Hadoop FileSystem whose writes can be made to fail ({@link ScriptedFileSystem}).
 */
class TrainingStateTest extends TrainingFixture {

    @BeforeAll
    static void scriptedOutputFileSystem() {
        ScriptedFileSystem.register(spark.sparkContext().hadoopConfiguration());
    }

    @AfterEach
    void plainFileSystem() {
        ScriptedFileSystem.reset();
    }

    @Test
    void theAverageIsTheExampleWeightedMeanOfTheWorkersParameters() throws Exception {
        AlexNetConfig model = AlexNetConfig.preset("tiny", java.util.Map.of("model.classes", "4"));
        TrainConfig train = TrainConfig.from(TrainConfig.SCHEMA.resolve(java.util.Map.of("train.workers", "2",
                "train.batch-size", "8", "train.averaging-frequency", "2", "train.decode-threads", "1")));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<DatasetStats> stats = sc.broadcast(DatasetStats.read(spark, dataset.toString()));
        EpochPlan plan = new EpochPlan(1, 3, 2, train.seed());
        JavaPairRDD<Long, Example> epoch = plan.chunks(DatasetSplits.examples(spark, dataset.toString(), DatasetLayout.TRAIN))
                .persist(StorageLevel.MEMORY_ONLY());
        ParameterState start = ParameterState.of(AlexNet.build(model));

        // each worker's own trained parameters, from the production worker task, in one piece each
        Broadcast<ParameterState> broadcast = sc.broadcast(start);
        WorkerTask<Tuple2<Long, Example>> task = new WorkerTask<>(model, train, broadcast, 0.01,
                new ShardPlan(start.size(), 1), new EpochChunks(model, train, stats, plan, 0), "test round");
        List<Tuple3<Integer, Long, float[]>> workers = PartitionPruningRDD.create(epoch.rdd(), new FirstRound(2))
                .toJavaRDD().mapPartitionsWithIndex(task, false)
                .map(p -> new Tuple3<>(p._2().stats().worker(), p._2().stats().examples(), p._2().params().floats()))
                .collect();
        assertEquals(2, workers.size(), "two workers trained in round 0");
        long examples = workers.stream().mapToLong(Tuple3::_2).sum();
        assertTrue(workers.stream().allMatch(w -> w._2() > 0), "both workers saw examples");
        float[] expected = new float[start.size()];
        for (int i = 0; i < expected.length; i++) {
            double sum = 0;
            for (int w = 0; w < 2; w++) {
                Tuple3<Integer, Long, float[]> worker = workers.get(workers.get(0)._1() == w ? 0 : 1);
                sum += (double) worker._2() * worker._3()[i];
            }
            expected[i] = (float) (sum / examples);
        }
        assertTrue(workers.get(0)._3()[100] != workers.get(1)._3()[100],
                "the workers trained on different data, so they differ");

        AveragedRound aggregated = new RoundRunner(sc, model, train, stats).run(epoch, plan, 0, start, 0.01);
        assertEquals(examples, aggregated.examples(), "examples of the round");
        assertArrayEquals(expected, aggregated.state().params().floats(),
                "the sharded average equals the example-weighted mean of the workers' parameters");
        epoch.unpersist();
    }

    private static final String[] RESUME_COMMON = {"--set", "train.eval.ten-crop-at-end=false",
        "--set", "model.dropout=0", "--set", "train.schedule=step", "--set", "train.schedule.step-epochs=1"};
    private static java.nio.file.Path straight;

    /** Two epochs without interruption (run once, shared by the resume tests). */
    private static synchronized java.nio.file.Path straightRun() {
        if (straight == null) {
            java.nio.file.Path out = dir.resolve("straight");
            assertEquals(0, train(with(args(out, "--set", "train.epochs=2"), RESUME_COMMON)));
            straight = out;
        }
        return straight;
    }

    /** One epoch with a checkpoint after every round (3 rounds per epoch). */
    private static java.nio.file.Path interruptedRun(String name) {
        java.nio.file.Path out = dir.resolve(name);
        assertEquals(0, train(with(args(out, "--set", "train.epochs=1", "--set",
                "train.checkpoint.every-rounds=1"), RESUME_COMMON)));
        return out;
    }

    private static int resume(java.nio.file.Path out) {
        return train(with(args(out, "--set", "train.epochs=2", "--set", "train.checkpoint.every-rounds=1", "--resume"),
                RESUME_COMMON));
    }

    private static void assertSameEnd(java.nio.file.Path straight, java.nio.file.Path resumed, String how)
            throws Exception {
        float[] a = ModelArchive.open(straight.resolve("model.zip")).parameters().toFloatVector();
        float[] b = ModelArchive.open(resumed.resolve("model.zip")).parameters().toFloatVector();
        assertArrayEquals(a, b, how + ", the run ends exactly where the straight run ends");
        assertEquals(Files.readAllLines(straight.resolve("metrics.jsonl")).stream().map(ResumeLines::withoutTime).toList(),
                Files.readAllLines(resumed.resolve("metrics.jsonl")).stream().map(ResumeLines::withoutTime).toList(),
                "and with the same per-epoch metrics");
    }

    /** The one checkpoint whose name starts with the prefix (names end in a unique time and id). */
    static java.nio.file.Path checkpoint(java.nio.file.Path output, String prefix) throws Exception {
        try (var files = Files.list(output.resolve(CheckpointStore.DIR))) {
            List<java.nio.file.Path> found = files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
            assertEquals(1, found.size(), "one checkpoint " + prefix + "*: " + found);
            return found.get(0);
        }
    }

    @Test
    void aResumedRunEndsWithExactlyTheParametersOfAnUninterruptedOne() throws Exception {
        java.nio.file.Path interrupted = interruptedRun("interrupted");
        // as if the job died after round 2 of epoch 1: only the mid-epoch checkpoints survive
        Files.delete(checkpoint(interrupted, "resume-at-epoch-0002-round-000000"));
        Files.delete(interrupted.resolve("model.zip"));
        assertEquals(0, resume(interrupted));
        assertSameEnd(straightRun(), interrupted, "resumed from a mid-epoch checkpoint");
    }

    @Test
    void aResumeThatChangesAKeyDecidingTheResultFailsNamingIt() throws Exception {
        java.nio.file.Path interrupted = interruptedRun("changed-key");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        int exit;
        try {
            // train.epochs and the checkpoint interval may change on resume (operational keys);
            // the lighting augmentation changes what is computed
            exit = train(with(args(interrupted, "--set", "train.epochs=2", "--set", "train.checkpoint.every-rounds=1",
                    "--set", "train.lighting-std=0.2", "--resume"), RESUME_COMMON));
        } finally {
            System.setErr(old);
        }
        assertEquals(2, exit, "a configuration error:\n" + err);
        assertTrue(err.toString().contains("train.lighting-std (checkpoint 0.1, this run 0.2)"),
                "the error names the key and both values:\n" + err);
        assertFalse(err.toString().contains("train.epochs"), "more epochs on resume are allowed:\n" + err);
    }

    @Test
    void aCorruptNewestCheckpointResumesFromThePreviousOneExactly() throws Exception {
        java.nio.file.Path interrupted = interruptedRun("corrupt-newest");
        java.nio.file.Path newest = checkpoint(interrupted, "resume-at-epoch-0002-round-000000");
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x5a; // one flipped byte in the parameters: the CRC check fails
        Files.write(newest, bytes);
        Files.delete(interrupted.resolve("model.zip"));
        LogCapture.Result<Integer> run = LogCapture.during(() -> resume(interrupted));
        assertEquals(0, run.value(), run.log());
        assertTrue(run.log().matches("(?s).*WARN.*checkpoint resume-at-epoch-0002-round-000000-\\S+ cannot be "
                + "read.*falling back to the previous complete checkpoint.*"), "a warning names the unreadable one:\n"
                + run.log());
        assertTrue(run.log().contains("resuming from resume-at-epoch-0001-round-000002-"), run.log());
        assertSameEnd(straightRun(), interrupted, "resumed from the checkpoint before the corrupt newest one");
    }

    @Test
    void aKilledCheckpointWriteLeavesThePreviousCheckpointLoadable() throws Exception {
        java.nio.file.Path out = dir.resolve("killed");
        assertEquals(0, train(args(out, "--set", "train.epochs=1", "--set", "train.eval.ten-crop-at-end=false")));
        java.nio.file.Path checkpoints = out.resolve(CheckpointStore.DIR);
        // what a kill in the middle of writing the next checkpoint leaves: a partial hidden file
        // (local disks, HDFS), or a partial file under its own name (a file system whose rename copies)
        java.nio.file.Path complete = checkpoint(out, "resume-at-epoch-0002-round-000000");
        byte[] whole = Files.readAllBytes(complete);
        Files.write(checkpoints.resolve(".resume-at-epoch-0002-round-000002-20300101T000000000Z-beef.zip."
                + "1b4e28ba-2fa1-11d2-883f-0016d3cca427.partial"), java.util.Arrays.copyOf(whole, whole.length / 2));
        Files.write(checkpoints.resolve("resume-at-epoch-0002-round-000003-20300101T000000000Z-beef.zip"),
                java.util.Arrays.copyOf(whole, whole.length / 2));

        CheckpointStore store = new CheckpointStore(new Path(out.toUri()), spark.sparkContext().hadoopConfiguration(), 3);
        Optional<CheckpointStore.Loaded> latest = store.latest();
        assertTrue(latest.isPresent(), "a checkpoint is found");
        assertEquals(complete.getFileName().toString(), latest.get().name(), "the complete one");
        assertEquals(2, latest.get().state().nextEpoch());
        assertTrue(latest.get().graph().params().length() > 0, "and it loads");
    }

    @Test
    void aDivergingRunStopsWithAClearErrorNamingTheRoundItTrainedAndWritesNoModel() throws Exception {
        java.nio.file.Path out = dir.resolve("diverge");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        int exit;
        try {
            // one minibatch per round: round 1's loss is that of the initial weights, finite; its update
            // is enormous, so round 2 is the first whose loss is not
            exit = train(args(out, "--set", "train.epochs=2", "--set", "model.learning-rate=50",
                    "--set", "model.init-std=5", "--set", "train.averaging-frequency=1",
                    "--set", "train.checkpoint.every-rounds=1"));
        } finally {
            System.setErr(old);
        }
        assertEquals(1, exit, "the job fails");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "NaN or infinite in epoch (\\d+), round (\\d+)/(\\d+)").matcher(err.toString());
        assertTrue(m.find(), err.toString());
        assertEquals("1", m.group(1), "the epoch: " + err);
        assertEquals("6", m.group(3), "96 images, 2 workers x batch 8 x 1 minibatch per round: 6 rounds: " + err);
        assertEquals("2", m.group(2), "round 2, the first whose loss was not finite: " + err);
        try (var files = Files.list(out.resolve(CheckpointStore.DIR))) {
            List<String> written = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("resume-at-") && n.endsWith(".zip")).toList();
            assertEquals(1, written.size(), "one checkpoint, the last good one: " + written);
            assertTrue(written.get(0).startsWith("resume-at-epoch-0001-round-000001"), "after round 1: " + written);
        }
        ResumeState last = new CheckpointStore(new Path(out.toUri()), spark.sparkContext().hadoopConfiguration(), 3)
                .latest().orElseThrow().state();
        assertEquals(1, last.nextEpoch(), "the checkpoint resumes in epoch 1");
        assertEquals(1, last.nextRound(), "at round index 1, after round 1");
        assertTrue(!Files.exists(out.resolve("model.zip")), "no final model is written");
    }

    private static List<String> outputArgs(java.nio.file.Path out, String... more) {
        List<String> a = args(out, more);
        a.set(a.indexOf(out.toString()), ScriptedFileSystem.path(out).toString());
        return a;
    }

    private static List<String> files(java.nio.file.Path dir) throws Exception {
        try (Stream<java.nio.file.Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
        }
    }

    @Test
    void aFailedCheckpointWriteIsRetriedAndOnlyTheNewestCheckpointsAreKept() throws Exception {
        java.nio.file.Path out = dir.resolve("hygiene");
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
        java.nio.file.Path out = dir.resolve("two-failures");
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
        java.nio.file.Path out = dir.resolve("model-first");
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

    private static List<String> with(List<String> args, String... more) {
        List<String> all = new java.util.ArrayList<>(args);
        all.addAll(List.of(more));
        return all;
    }

    /** Round 0's partitions of an epoch with the given number of workers. */
    private static final class FirstRound extends AbstractFunction1<Object, Object> implements java.io.Serializable {
        private final int workers;

        FirstRound(int workers) {
            this.workers = workers;
        }

        @Override
        public Object apply(Object partition) {
            return (Integer) partition < workers;
        }
    }

    private static final class ResumeLines {
        static String withoutTime(String json) {
            return json.replaceAll(",\"seconds\":[-0-9.Ee]+", "");
        }
    }
}
