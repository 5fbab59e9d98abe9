package org.alexnet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.alexnet.model.bench.TrainStepBenchmark;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/** The full-size paper net runs forward and backward: shapes, a finite loss, a gradient everywhere. */
class TrainingStepTest {

    @Test
    void fullSizeForwardAndBackwardOnABatchOfTwo() {
        AlexNetConfig full = AlexNetConfig.preset("full", Map.of());
        ComputationGraph graph = AlexNet.build(full);
        MultiDataSet batch = TrainStepBenchmark.randomBatch(full, 2, 3);

        INDArray probabilities = graph.outputSingle(false, batch.getFeatures(0));
        assertArrayEquals(new long[] {2, 1000}, probabilities.shape(), "one softmax row of 1000 per image");
        INDArray rowSums = probabilities.sum(1);
        assertTrue(rowSums.sub(1.0).amaxNumber().doubleValue() < 1e-4, "softmax rows sum to 1: " + rowSums);

        graph.setInputs(batch.getFeatures());
        graph.setLabels(batch.getLabels());
        graph.computeGradientAndScore();
        double loss = graph.score();
        assertTrue(Double.isFinite(loss) && loss > 0, "finite positive loss, got " + loss);
        // an untrained net over 1000 classes is near chance: -ln(1/1000) = 6.9
        assertTrue(Math.abs(loss - Math.log(1000)) < 1.5, "loss near ln(1000) at initialisation, got " + loss);

        Gradient gradient = graph.gradient();
        for (Map.Entry<String, INDArray> e : graph.paramTable().entrySet()) {
            INDArray g = gradient.getGradientFor(e.getKey());
            assertTrue(g != null, "gradient for " + e.getKey());
            assertArrayEquals(e.getValue().shape(), g.shape(), "gradient shape of " + e.getKey());
            double max = g.amaxNumber().doubleValue();
            assertTrue(max > 0 && Double.isFinite(max), "non-zero finite gradient for " + e.getKey() + ", max |g| = " + max);
        }
    }
}
