package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.bench.TrainStepBenchmark;
import org.alexnet.train.averaging.FlatArray;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * With one minibatch per worker between averagings and no dropout, W workers of batch B are the
 * paper's SGD on ONE minibatch of W x B: classical momentum and weight decay are linear in the
 * gradient, and the example-weighted average of the workers' minibatch-mean gradients is the mean
 * gradient of the whole W x B batch. Shown in double precision, through the training job's real
 * round (broadcast, column executor replicas, sharded averaging), over several steps with momentum.
 * Workers of different batch sizes are weighted by their examples, so a short last round is exact
 * too.
 */
class SynchronousSgdTest {
    private static final double TOLERANCE = 1e-12;
    private static SparkSession spark;
    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        // the training job's session settings (its shuffle writer among them)
        spark = SparkSession.builder().config(org.alexnet.train.RoundTransport.apply(new org.apache.spark.SparkConf()))
                .master("local[2]").appName("SynchronousSgdTest").config("spark.ui.enabled", "false").getOrCreate();
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void twoWorkersOfBatch3AreOneWorkerOfBatch6() {
        assertSameAsOneBigBatch(new int[] {3, 3}, 3);
    }

    @Test
    void workersOfDifferentBatchSizesAreWeightedByTheirExamples() {
        assertSameAsOneBigBatch(new int[] {1, 2, 4}, 2);
    }

    @Test
    void roundsOfOneWorkerAreStepsOfOneGraph() {
        AlexNetConfig model = AlexNetConfig.preset("tiny", Map.of("model.classes", "5", "model.precision", "double",
                "model.dropout", "0"));
        TrainConfig train = TrainConfig.from(TrainConfig.SCHEMA.resolve(Map.of("train.averaging-frequency", "1")));
        double lr = 0.05;
        org.deeplearning4j.nn.graph.ComputationGraph graph = AlexNet.build(model);
        graph.setLearningRate(lr);
        ParameterState rounds = ParameterState.of(AlexNet.build(model));
        InMemoryMinibatches source = new InMemoryMinibatches(1);
        for (int step = 0; step < 4; step++) {
            MultiDataSet batch = TrainStepBenchmark.randomBatch(model, 4, 500L + step);
            graph.fit(batch);
            rounds = RoundRunner.runOn(sc, sc.parallelize(List.of(batch), 1), model, train, rounds, lr, source,
                    "one worker", s -> { }).state();
        }
        ParameterState steps = ParameterState.of(graph);
        double p = maxDifference(rounds.params(), steps.params()) / maxAbs(steps.params());
        double m = maxDifference(rounds.momentum(), steps.momentum()) / maxAbs(steps.momentum());
        assertTrue(p <= 1e-9, "4 rounds of one worker = 4 steps of one graph: parameters (got " + p + ")");
        assertTrue(m <= 1e-9, "4 rounds of one worker = 4 steps of one graph: momentum (got " + m + ")");
    }

    private static void assertSameAsOneBigBatch(int[] batchSizes, int steps) {
        AlexNetConfig model = AlexNetConfig.preset("tiny", Map.of("model.classes", "5", "model.precision", "double",
                "model.dropout", "0"));
        TrainConfig train = TrainConfig.from(TrainConfig.SCHEMA.resolve(Map.of("train.averaging-frequency", "1")));
        ParameterState start = ParameterState.of(AlexNet.build(model));
        ParameterState workers = start;
        ParameterState single = start;
        InMemoryMinibatches source = new InMemoryMinibatches(1);
        double lr = 0.05;
        for (int step = 0; step < steps; step++) {
            List<MultiDataSet> batches = new ArrayList<>();
            for (int w = 0; w < batchSizes.length; w++) {
                batches.add(TrainStepBenchmark.randomBatch(model, batchSizes[w], 1000L * step + w));
            }
            workers = RoundRunner.runOn(sc, sc.parallelize(batches, batches.size()), model, train, workers, lr, source,
                    "workers", s -> { }).state();
            single = RoundRunner.runOn(sc, sc.parallelize(List.of(concat(batches)), 1), model, train, single, lr, source,
                    "one big batch", s -> { }).state();
        }
        String what = batchSizes.length + " workers of batches " + java.util.Arrays.toString(batchSizes) + " vs one of "
                + java.util.Arrays.stream(batchSizes).sum() + ", " + steps + " steps";
        assertTrue(maxDifference(start.params(), single.params()) > 1e-4, "training moved the parameters: " + what);
        assertTrue(maxAbs(single.momentum()) > 1e-6, "momentum is in play: " + what);
        double p = maxDifference(workers.params(), single.params()) / maxAbs(single.params());
        double m = maxDifference(workers.momentum(), single.momentum()) / maxAbs(single.momentum());
        assertTrue(p <= TOLERANCE, "parameters equal to " + TOLERANCE + " relative (got " + p + "): " + what);
        assertTrue(m <= TOLERANCE, "momentum equal to " + TOLERANCE + " relative (got " + m + "): " + what);
    }

    private static MultiDataSet concat(List<MultiDataSet> batches) {
        INDArray[] features = batches.stream().map(b -> b.getFeatures(0)).toArray(INDArray[]::new);
        INDArray[] labels = batches.stream().map(b -> b.getLabels(0)).toArray(INDArray[]::new);
        return new org.nd4j.linalg.dataset.MultiDataSet(Nd4j.concat(0, features), Nd4j.concat(0, labels));
    }

    private static double maxDifference(FlatArray a, FlatArray b) {
        double max = 0;
        for (int i = 0; i < a.length(); i++) {
            max = Math.max(max, Math.abs(a.get(i) - b.get(i)));
        }
        return max;
    }

    private static double maxAbs(FlatArray a) {
        double max = 0;
        for (int i = 0; i < a.length(); i++) {
            max = Math.max(max, Math.abs(a.get(i)));
        }
        return max;
    }
}
