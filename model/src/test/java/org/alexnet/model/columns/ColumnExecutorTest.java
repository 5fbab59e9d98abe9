package org.alexnet.model.columns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.bench.TrainStepBenchmark;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The column executor against plain {@code ComputationGraph.fit}, on the CPU backend in double
 * precision: same losses at every step, same parameters and momentum afterwards; the exchanges
 * happen where the paper has them and nowhere else; dropout still trains.
 */
class ColumnExecutorTest {
    private static final int STEPS = 4;

    private static AlexNetConfig small(String dropout) {
        return AlexNetConfig.preset("small", Map.of("model.precision", "double", "model.dropout", dropout,
                "model.classes", "10"));
    }

    @Test
    void equalsComputationGraphFitStepByStep() {
        checkEquivalence(false);
    }

    /** Column B through a replica graph: the load/write-back path multi-GPU placements take. */
    @Test
    void equalsComputationGraphFitThroughAReplica() {
        checkEquivalence(true);
    }

    private static void checkEquivalence(boolean replica) {
        AlexNetConfig config = small("0");
        ComputationGraph reference = AlexNet.build(config);
        ComputationGraph trained = AlexNet.build(config);
        assertEquals(reference.params(), trained.params(), "same seed, same initial parameters");
        List<MultiDataSet> batches = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            batches.add(TrainStepBenchmark.randomBatch(config, 6, 100 + i));
        }
        try (ColumnExecutor columns = new ColumnExecutor(trained, config, List.of(0), replica)) {
            assertEquals(replica, columns.usesReplica(1));
            for (int i = 0; i < STEPS; i++) {
                reference.fit(batches.get(i));
                double expected = reference.score();
                double loss = columns.fit(batches.get(i));
                assertEquals(expected, loss, 1e-6 * Math.abs(expected), "loss at step " + i);
            }
            columns.writeBack();
        }
        assertClose(reference.params(), trained.params(), "parameters after " + STEPS + " steps");
        assertClose(reference.getUpdater().getStateViewArray(), trained.getUpdater().getStateViewArray(),
                "momentum after " + STEPS + " steps");
        assertTrue(reference.getUpdater().getStateViewArray().amaxNumber().doubleValue() > 0, "momentum is non-zero");
        assertEquals(reference.getIterationCount(), trained.getIterationCount(), "iteration count");
    }

    /**
     * fp32, the CPU's fast paths (oneDNN convolutions and pooling, the fused LRN kernels and the
     * fused momentum update) against DL4J's own fp32 training: the same numbers up to float
     * rounding in a different order.
     */
    @Test
    void fp32FastPathsMatchComputationGraphFit() {
        // 1000 classes: fc8 learns at the network's rate. At 10 classes (fc8 at 0.04 x) this fixture's
        // fourth random batch meets a max-pooling near-tie in column A that fp32 rounding resolves
        // differently in the two paths (steps 1-3 agree to 1e-9; step 4 moves 4,583 weights of
        // conv1a/conv2a by < 1e-5): a discrete event, not a rounding difference this test can bound.
        AlexNetConfig config = AlexNetConfig.preset("small", Map.of("model.dropout", "0", "model.classes", "1000"));
        ComputationGraph reference = AlexNet.build(config);
        ComputationGraph trained = AlexNet.build(config);
        try (ColumnExecutor columns = ColumnExecutor.onCurrentDevice(trained, config)) {
            for (int i = 0; i < STEPS; i++) {
                MultiDataSet batch = TrainStepBenchmark.randomBatch(config, 6, 200 + i);
                reference.fit(batch);
                double loss = columns.fit(batch);
                assertEquals(reference.score(), loss, 1e-5 * Math.abs(reference.score()), "fp32 loss at step " + i);
            }
        }
        assertClose(reference.params(), trained.params(), 1e-5, "fp32 parameters after " + STEPS + " steps");
        assertClose(reference.getUpdater().getStateViewArray(), trained.getUpdater().getStateViewArray(), 1e-5,
                "fp32 momentum after " + STEPS + " steps");
    }

    /** The fused native update computes what the ND4J-operation update computes, in fp32. */
    @Test
    void fusedUpdateEqualsTheOperationPath() {
        AlexNetConfig config = AlexNetConfig.preset("small", Map.of("model.dropout", "0", "model.classes", "10"));
        ComputationGraph[] graphs = {AlexNet.build(config), AlexNet.build(config)};
        boolean[] fused = {false, true};
        try {
            for (int k = 0; k < 2; k++) {
                ParamUpdate.fusedAllowed = fused[k];
                try (ColumnExecutor columns = ColumnExecutor.onCurrentDevice(graphs[k], config)) {
                    for (int i = 0; i < 3; i++) {
                        columns.fit(TrainStepBenchmark.randomBatch(config, 6, 300 + i));
                    }
                }
            }
        } finally {
            ParamUpdate.fusedAllowed = true;
        }
        assertClose(graphs[0].params(), graphs[1].params(), 1e-6, "parameters, fused vs operations");
        assertClose(graphs[0].getUpdater().getStateViewArray(), graphs[1].getUpdater().getStateViewArray(), 1e-5,
                "momentum, fused vs operations");
    }

    /** Inference through the columns equals the graph's output (dropout off at inference). */
    @Test
    void outputEqualsTheGraphsInference() {
        AlexNetConfig config = small("0.5");
        ComputationGraph graph = AlexNet.build(config);
        MultiDataSet batch = TrainStepBenchmark.randomBatch(config, 5, 400);
        try (ColumnExecutor columns = ColumnExecutor.onCurrentDevice(graph, config)) {
            columns.fit(batch); // trained a step, so biases and weights are not just the initial ones
            INDArray expected = graph.outputSingle(false, batch.getFeatures(0));
            INDArray actual = columns.output(batch.getFeatures(0));
            assertArrayEquals(expected.shape(), actual.shape(), "one softmax row per image");
            assertClose(expected, actual, 1e-10, "softmax outputs");
            assertEquals(5.0, actual.sumNumber().doubleValue(), 1e-9, "each row sums to 1");
            // more images than one inference pass takes: split, computed, joined in order
            int n = ColumnExecutor.MAX_INFERENCE_BATCH + 3;
            INDArray many = TrainStepBenchmark.randomBatch(config, n, 401).getFeatures(0);
            assertClose(graph.outputSingle(false, many), columns.output(many), 1e-10, "outputs of a large batch");
        }
    }

    /**
     * A named layer's output through the columns (an inference-only executor: no gradients or
     * momentum) equals the single graph's activations: "fc7" is fc7a's units then fc7b's, the
     * paper's 4096-wide last hidden layer; conv1 is column A's maps then column B's.
     */
    @Test
    void activationsOfNamedLayersEqualTheGraphs() {
        AlexNetConfig config = small("0.5");
        ComputationGraph graph = AlexNet.build(config);
        INDArray images = TrainStepBenchmark.randomBatch(config, 4, 402).getFeatures(0);
        Map<String, INDArray> reference = graph.feedForward(images, false);
        try (ColumnExecutor columns = ColumnExecutor.forInference(graph, config, List.of())) {
            assertEquals(List.of("conv1", "norm1", "pool1", "conv2", "norm2", "pool2", "conv3", "conv4", "conv5", "pool5",
                    "fc6", "drop6", "fc7", "drop7", "fc8"), columns.layerNames(), "the names activations answers to");
            Map<String, INDArray> got = columns.activations(images, List.of("fc7", "conv1", "fc8"));
            assertEquals(List.of("fc7", "conv1", "fc8"), new ArrayList<>(got.keySet()), "in the order asked");
            INDArray fc7 = org.nd4j.linalg.factory.Nd4j.concat(1, reference.get("fc7a"), reference.get("fc7b"));
            assertArrayEquals(new long[] {4, 2 * config.scaled(2048)}, got.get("fc7").shape(), "both columns' fc7 units");
            assertClose(fc7, got.get("fc7"), 1e-5, "fc7 activations");
            assertTrue(fc7.amaxNumber().doubleValue() > 0, "fc7 is not all zero");
            assertClose(org.nd4j.linalg.factory.Nd4j.concat(1, reference.get("conv1a"), reference.get("conv1b")),
                    got.get("conv1"), 1e-5, "conv1 maps");
            assertClose(reference.get("fc8"), got.get("fc8"), 1e-5, "softmax");
            assertClose(got.get("fc8"), columns.output(images), 1e-12, "output() is the fc8 activations");
            assertTrue(graph.getGradientsViewArray() == null, "an inference-only executor allocates no gradients");
            assertTrue(assertThrows(IllegalArgumentException.class, () -> columns.activations(images, List.of("fc7a")))
                    .getMessage().contains("fc7"), "an unknown layer is named with the known ones");
            INDArray labels = TrainStepBenchmark.randomBatch(config, 4, 402).getLabels(0);
            assertThrows(IllegalStateException.class, () -> columns.fit(images, labels), "inference only");
        }
    }

    /** Max |a - b| relative to max |a|, below 1e-6, and the parameters actually moved. */
    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertClose(expected, actual, 1e-6, what);
    }

    private static void assertClose(INDArray expected, INDArray actual, double relative, String what) {
        double scale = expected.amaxNumber().doubleValue();
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        System.out.printf("%s: max difference %.3g of max magnitude %.3g%n", what, diff, scale);
        assertTrue(diff <= relative * scale, what + ": max difference " + diff + " for max magnitude " + scale);
    }

    @Test
    void exchangesOnlyWhereThePaperDoes() {
        AlexNetConfig config = small("0.5");
        ComputationGraph graph = AlexNet.build(config);
        try (ColumnExecutor columns = ColumnExecutor.onCurrentDevice(graph, config)) {
            assertEquals(List.of("conv3", "fc6", "fc7", "fc8"), columns.exchangePoints());
            for (int step = 0; step < 2; step++) {
                columns.exchange().resetCounts();
                columns.fit(TrainStepBenchmark.randomBatch(config, 4, step));
                Map<String, Long> expected = new TreeMap<>();
                for (String point : List.of("conv3", "fc6", "fc7")) {
                    for (Exchange.Pass pass : Exchange.Pass.values()) {
                        expected.put(Exchange.key(point, pass, 0, 1), 1L);
                        expected.put(Exchange.key(point, pass, 1, 0), 1L);
                    }
                }
                // fc8 lives in column A: B's fc7 output goes there, and its gradient comes back
                expected.put(Exchange.key("fc8", Exchange.Pass.FORWARD, 1, 0), 1L);
                expected.put(Exchange.key("fc8", Exchange.Pass.BACKWARD, 0, 1), 1L);
                assertEquals(expected, columns.exchange().counts(), "exchanges in step " + step);
                assertEquals(14, columns.exchange().total());
                assertEquals(0, columns.exchange().bytesCopied(), "one device: nothing copied");
            }
        }
    }

    /**
     * With dropout on (each column's thread draws its own masks), training on a repeated
     * minibatch lowers its loss, measured without dropout before and after.
     */
    @Test
    void trainsWithDropoutInEachColumn() {
        AlexNetConfig config = AlexNetConfig.preset("tiny", Map.of("model.precision", "double",
                "model.classes", "4", "model.learning-rate", "0.003"));
        ComputationGraph graph = AlexNet.build(config);
        MultiDataSet batch = TrainStepBenchmark.randomBatch(config, 8, 1);
        batch.getFeatures(0).divi(50);
        double before = graph.score(batch, false);
        double lastTrainingLoss;
        try (ColumnExecutor columns = ColumnExecutor.onCurrentDevice(graph, config)) {
            lastTrainingLoss = 0;
            for (int i = 0; i < 30; i++) {
                lastTrainingLoss = columns.fit(batch);
            }
        }
        double after = graph.score(batch, false);
        assertTrue(Double.isFinite(lastTrainingLoss), "finite training loss");
        assertTrue(after < 0.9 * before, "loss without dropout, before and after 30 steps: " + before + " -> " + after);
    }

    /**
     * A failing column ends the step at once with its own exception: labels of the wrong width
     * fail column A's loss while column B waits at the fc8 exchange for a gradient that never
     * comes. Afterwards the executor is closed and refuses further steps.
     */
    @Test
    void aFailingColumnEndsTheStepAtOnceWithItsCause() {
        AlexNetConfig config = AlexNetConfig.preset("tiny", Map.of("model.classes", "4"));
        ComputationGraph graph = AlexNet.build(config);
        MultiDataSet batch = TrainStepBenchmark.randomBatch(config, 4, 1);
        INDArray wrongLabels = Nd4j.zeros(batch.getLabels(0).dataType(), 4, 3);
        try (ColumnExecutor columns = ColumnExecutor.onCurrentDevice(graph, config)) {
            RuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(
                    RuntimeException.class, () -> columns.fit(batch.getFeatures(0), wrongLabels)),
                    "the step ends although column B waits for column A");
            assertTrue(String.valueOf(e.getMessage()).contains("[4, 3]"),
                    "column A's own error, naming the labels' shape: " + e);
            assertFalse(columns.isOpen(), "closed after a column failed");
            assertThrows(IllegalStateException.class, () -> columns.fit(batch), "no more steps after a failure");
        }
    }

    @Test
    void refusesImpossiblePlacements() {
        AlexNetConfig config = AlexNetConfig.preset("tiny", Map.of());
        ComputationGraph graph = AlexNet.build(config);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ColumnExecutor(graph, config, List.of(0, 1)));
        assertTrue(e.getMessage().contains("device 1 does not exist"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ColumnExecutor(graph, config, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ColumnExecutor(graph, config, List.of(0, 0, 0)));

        AlexNetConfig oneColumn = AlexNetConfig.preset("tiny", Map.of("model.columns", "1"));
        e = assertThrows(IllegalArgumentException.class,
                () -> new ColumnExecutor(AlexNet.build(oneColumn), oneColumn, List.of(0)));
        assertFalse(e.getMessage().isEmpty());
    }
}
