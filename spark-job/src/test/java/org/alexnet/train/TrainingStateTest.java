package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.ModelFile;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.train.averaging.AveragedRound;
import org.alexnet.train.averaging.ShardPlan;
import org.alexnet.train.data.Example;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import scala.Tuple2;
import scala.Tuple3;
import scala.runtime.AbstractFunction1;

/**
 * Averaging, exact resume, interrupted checkpoint writes and a diverging run, on the same
 * local[2] session and dataset as {@link TrainAlexNetTest}, each class with its own.
 */
class TrainingStateTest extends TrainingFixture {

    @Test
    void theAverageIsTheExampleWeightedMeanOfTheWorkersParameters() throws Exception {
        AlexNetConfig model = AlexNetConfig.preset("tiny", java.util.Map.of("model.classes", "4"));
        TrainConfig train = TrainConfig.from(TrainConfig.SCHEMA.resolve(java.util.Map.of("train.workers", "2",
                "train.batch-size", "8", "train.averaging-frequency", "2", "train.decode-threads", "1")));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<DatasetStats> stats = sc.broadcast(DatasetStats.read(spark, dataset.toString()));
        EpochPlan plan = new EpochPlan(1, 3, 2, train.seed());
        JavaPairRDD<Long, Example> epoch = DatasetSplits.examples(spark, dataset.toString(), DatasetLayout.TRAIN)
                .mapToPair(e -> new Tuple2<>(plan.positionKey(e.key()), e))
                .repartitionAndSortWithinPartitions(plan.partitioner())
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

    @Test
    void aResumedRunEndsWithExactlyTheParametersOfAnUninterruptedOne() throws Exception {
        String[] common = {"--set", "train.eval.ten-crop-at-end=false", "--set", "model.dropout=0",
                "--set", "train.schedule=step", "--set", "train.schedule.step-epochs=1"};
        java.nio.file.Path straight = dir.resolve("straight");
        assertEquals(0, train(with(args(straight, "--set", "train.epochs=2"), common)));

        java.nio.file.Path interrupted = dir.resolve("interrupted");
        assertEquals(0, train(with(args(interrupted, "--set", "train.epochs=1", "--set",
                "train.checkpoint.every-rounds=1"), common)));
        // as if the job died after round 2 of epoch 1: only the mid-epoch checkpoints survive
        java.nio.file.Path checkpoints = interrupted.resolve(CheckpointStore.DIR);
        Files.delete(checkpoints.resolve("resume-at-epoch-0002-round-000000.zip"));
        Files.delete(interrupted.resolve("model.zip"));
        assertEquals(0, train(with(args(interrupted, "--set", "train.epochs=2", "--set",
                "train.checkpoint.every-rounds=1", "--resume"), common)));

        float[] a = ModelFile.load(straight.resolve("model.zip").toFile()).graph().params().toFloatVector();
        float[] b = ModelFile.load(interrupted.resolve("model.zip").toFile()).graph().params().toFloatVector();
        assertArrayEquals(a, b, "resumed from a mid-epoch checkpoint, the run ends exactly where the straight run ends");
        assertEquals(Files.readAllLines(straight.resolve("metrics.jsonl")).stream().map(ResumeLines::withoutTime).toList(),
                Files.readAllLines(interrupted.resolve("metrics.jsonl")).stream().map(ResumeLines::withoutTime).toList(),
                "and with the same per-epoch metrics");
    }

    @Test
    void aKilledCheckpointWriteLeavesThePreviousCheckpointLoadable() throws Exception {
        java.nio.file.Path out = dir.resolve("killed");
        assertEquals(0, train(args(out, "--set", "train.epochs=1", "--set", "train.eval.ten-crop-at-end=false")));
        java.nio.file.Path checkpoints = out.resolve(CheckpointStore.DIR);
        // what a kill in the middle of writing the next checkpoint leaves: a partial hidden file
        byte[] whole = Files.readAllBytes(checkpoints.resolve("resume-at-epoch-0002-round-000000.zip"));
        Files.write(checkpoints.resolve(".resume-at-epoch-0002-round-000002.zip.partial"),
                java.util.Arrays.copyOf(whole, whole.length / 2));

        CheckpointStore store = new CheckpointStore(new Path(out.toUri()), spark.sparkContext().hadoopConfiguration());
        Optional<CheckpointStore.Loaded> latest = store.latest();
        assertTrue(latest.isPresent(), "a checkpoint is found");
        assertEquals("resume-at-epoch-0002-round-000000.zip", latest.get().name(), "the complete one");
        assertEquals(2, Integer.parseInt(latest.get().state().get("next.epoch")));
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
            assertEquals(List.of("resume-at-epoch-0001-round-000001.zip"), files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("resume-at-")).sorted().toList(), "the last good checkpoint: after round 1");
        }
        assertTrue(!Files.exists(out.resolve("model.zip")), "no final model is written");
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
            return json.replaceAll(",\"seconds\":[0-9.]+", "");
        }
    }
}
