package org.alexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The paper's initialisation (section 5), checked on the statistics of the full-size net. */
class InitialisationTest {
    private static ComputationGraph graph;

    @BeforeAll
    static void build() {
        graph = AlexNet.build(AlexNetConfig.preset("full", Map.of()));
    }

    @Test
    void weightsAreZeroMeanGaussiansWithStd001() {
        for (String layer : List.of("conv1a", "conv2b", "conv3a", "conv4b", "conv5a", "fc6b", "fc7a", "fc8")) {
            INDArray w = graph.getLayer(layer).getParam("W");
            double mean = w.meanNumber().doubleValue();
            double std = w.stdNumber().doubleValue();
            double tolerance = 5 * 0.01 / Math.sqrt(w.length());  // five standard errors
            assertEquals(0.0, mean, tolerance, layer + " weight mean");
            assertEquals(0.01, std, 0.01 * 5 * Math.sqrt(2.0 / w.length()) + 1e-5, layer + " weight std");
        }
    }

    @Test
    void biasesAreOneInConv2Conv4Conv5Fc6Fc7AndZeroElsewhere() {
        Map<String, Double> expected = Map.of("conv1", 0.0, "conv2", 1.0, "conv3", 0.0, "conv4", 1.0, "conv5", 1.0,
                "fc6", 1.0, "fc7", 1.0);
        for (Map.Entry<String, Double> e : expected.entrySet()) {
            for (String col : List.of("a", "b")) {
                INDArray b = graph.getLayer(e.getKey() + col).getParam("b");
                assertEquals(e.getValue(), b.minNumber().doubleValue(), 0.0, e.getKey() + col + " bias");
                assertEquals(e.getValue(), b.maxNumber().doubleValue(), 0.0, e.getKey() + col + " bias");
            }
        }
        assertEquals(0.0, graph.getLayer("fc8").getParam("b").amaxNumber().doubleValue(), 0.0, "fc8 bias");
    }
}
