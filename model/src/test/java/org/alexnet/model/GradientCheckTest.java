package org.alexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.alexnet.model.bench.TrainStepBenchmark;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * Backpropagation through the whole two-column topology (convolutions, LRN, overlapping
 * pooling, the column concatenations, fc layers, softmax) against central finite differences,
 * in double precision on the tiny preset: a sample of entries from EVERY parameter array.
 * (DL4J's GradientCheckUtil ignores its subset option for graphs and would visit all 82k
 * parameters.)
 */
class GradientCheckTest {
    private static final double EPSILON = 1e-6;
    private static final int ENTRIES_PER_ARRAY = 8;

    @Test
    void analyticGradientsMatchFiniteDifferences() {
        AlexNetConfig tiny = AlexNetConfig.preset("tiny", Map.of("model.precision", "double", "model.dropout", "0",
                "model.weight-decay", "0", "model.classes", "4", "model.init-std", "0.1"));
        ComputationGraph graph = AlexNet.build(tiny);
        MultiDataSet batch = TrainStepBenchmark.randomBatch(tiny, 2, 11);
        batch.getFeatures(0).divi(50); // unit-scale inputs keep the finite differences well conditioned

        graph.setInputs(batch.getFeatures());
        graph.setLabels(batch.getLabels());
        graph.computeGradientAndScore();
        // DL4J's backprop gradient is SUMMED over the minibatch (the updater divides by its size
        // later); score() is the MEAN loss, so compare against gradient / batch size
        INDArray analytic = graph.gradient().gradient().dup().divi(batch.getFeatures(0).size(0));
        INDArray params = graph.params(); // a view: perturbing it perturbs the network

        Random random = new Random(5);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        long offset = 0;
        for (Map.Entry<String, INDArray> p : graph.paramTable().entrySet()) {
            long length = p.getValue().length();
            for (int k = 0; k < ENTRIES_PER_ARRAY; k++) {
                long i = offset + (long) (random.nextDouble() * length);
                double original = params.getDouble(i);
                params.putScalar(i, original + EPSILON);
                double plus = graph.score(batch, true);
                params.putScalar(i, original - EPSILON);
                double minus = graph.score(batch, true);
                params.putScalar(i, original);
                double numeric = (plus - minus) / (2 * EPSILON);
                double backprop = analytic.getDouble(i);
                double scale = Math.max(Math.abs(numeric), Math.abs(backprop));
                if (Math.abs(numeric - backprop) > 1e-8 && Math.abs(numeric - backprop) / scale > 1e-4) {
                    failures.add(String.format("%s[%d]: backprop %.10g vs numeric %.10g", p.getKey(), i - offset, backprop, numeric));
                }
                checked++;
            }
            offset += length;
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " gradients disagree: " + failures);
        assertEquals(30, graph.paramTable().size(), "W and b of conv1-5 and fc6-7 in both columns, and of fc8");
        assertEquals(30 * ENTRIES_PER_ARRAY, checked, "entries checked");
    }
}
