package org.alexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.alexnet.model.InitialSignal.Signal;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The paper's initialisation (section 5) in the full net, and the rule that keeps its signal
 * scale in the narrow presets: at initialisation, on inputs with the paper's statistics (0-255
 * pixels minus the mean image), every layer's activations and the gradient of the loss with
 * respect to them stay within a factor of 2 of the full net's, layer by layer, in small and tiny
 * ({@link InitialSignal}); the paper's N(0, 0.01) taken literally at width 1/4 does not.
 */
class InitialisationTest {
    private static final List<String> WEIGHTED = List.of("conv1a", "conv2b", "conv3a", "conv4b", "conv5a", "fc6b",
            "fc7a", "fc8");
    private static final AlexNetConfig FULL = AlexNetConfig.preset("full", Map.of("model.classes", "10"));
    private static ComputationGraph graph;
    private static Map<String, Signal> fullSignal;

    @BeforeAll
    static void buildAndMeasureTheFullNet() {
        graph = InitialSignal.probeable(FULL);
        fullSignal = InitialSignal.measure(graph, FULL, 2);
    }

    @Test
    void weightsAreZeroMeanGaussiansWithStd001() {
        for (String layer : WEIGHTED) {
            assertWeightStd(graph, layer, 0.01);
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

    @Test
    void narrowerNetsScaleEachLayersStdToItsFanIn() {
        AlexNetConfig small = AlexNetConfig.preset("small", Map.of("model.classes", "10"));
        assertEquals(AlexNetConfig.InitScaling.FAN_IN, small.initScaling(), "the default rule");
        assertEquals(0.01, small.initStd(), 0.0, "scaled from the paper's 0.01");
        Map<String, Double> stds = AlexNet.initialStds(small);
        assertEquals(0.01, stds.get("conv1a"), 0.0001, "conv1 reads the 3-channel image as in the paper");
        assertEquals(0.02, stds.get("fc7a"), 1e-12, "fc7 reads a quarter of the paper's inputs: 0.01 * sqrt(4)");
        assertEquals(0.04, stds.get("fc6a"), 1e-12, "fc6 reads 64x3x3 inputs, 1/16 of the paper's 256x6x6");
        assertEquals(0.021, stds.get("conv4a"), 0.0005, "conv4: a quarter of the maps, and 7x7 maps lose a little "
                + "more to padding than 13x13 ones");
        ComputationGraph net = AlexNet.build(small);
        for (String layer : List.of("conv2a", "conv4b", "fc6a", "fc7b", "fc8")) {
            assertWeightStd(net, layer, stds.get(layer));
        }
        Map<String, Double> full = AlexNet.initialStds(FULL);
        assertTrue(full.values().stream().allMatch(s -> s == 0.01), "the full net is the paper's: " + full);
    }

    @Test
    void anExplicitInitStdAppliesToEveryLayer() {
        AlexNetConfig set = AlexNetConfig.preset("small", Map.of("model.init-std", "0.05"));
        assertEquals(AlexNetConfig.InitScaling.NONE, set.initScaling(), "init-std set alone wins as it is");
        assertTrue(AlexNet.initialStds(set).values().stream().allMatch(s -> s == 0.05), "0.05 everywhere");
        AlexNetConfig scaled = AlexNetConfig.preset("small", Map.of("model.init-std", "0.005", "model.init-scaling", "fan-in"));
        assertEquals(0.02, AlexNet.initialStds(scaled).get("fc6a"), 1e-12, "or scaled when asked to: 0.005 * 4");
    }

    @Test
    void smallAndTinyKeepTheFullNetsSignalLayerByLayer() {
        for (String preset : List.of("small", "tiny")) {
            AlexNetConfig c = AlexNetConfig.preset(preset, Map.of("model.classes", "10"));
            Map<String, Signal> narrow = InitialSignal.measure(InitialSignal.probeable(c), c, 8);
            String table = table(preset, narrow);
            System.out.print(table);
            for (String layer : InitialSignal.LAYERS) {
                double activation = narrow.get(layer).activationStd() / fullSignal.get(layer).activationStd();
                double gradient = narrow.get(layer).gradientPerExample() / fullSignal.get(layer).gradientPerExample();
                assertTrue(activation >= 0.5 && activation <= 2, preset + " " + layer + ": activation std "
                        + String.format("%.2f", activation) + " times the full net's\n" + table);
                assertTrue(gradient >= 0.5 && gradient <= 2, preset + " " + layer + ": gradient "
                        + String.format("%.2f", gradient) + " times the full net's\n" + table);
            }
        }
    }

    @Test
    void thePapersStdTakenLiterallyAtQuarterWidthLosesTheSignal() {
        AlexNetConfig literal = AlexNetConfig.preset("small", Map.of("model.classes", "10", "model.init-std", "0.01"));
        Map<String, Signal> narrow = InitialSignal.measure(InitialSignal.probeable(literal), literal, 8);
        double conv1Gradient = narrow.get("conv1").gradientPerExample() / fullSignal.get("conv1").gradientPerExample();
        double conv4Activation = narrow.get("conv4").activationStd() / fullSignal.get("conv4").activationStd();
        assertTrue(conv1Gradient < 0.05 && conv4Activation < 0.25, "N(0, 0.01) everywhere at width 1/4: conv1's "
                + "gradient " + conv1Gradient + " and conv4's activations " + conv4Activation + " of the full net's\n"
                + table("small, init-std 0.01", narrow));
    }

    private static String table(String name, Map<String, Signal> narrow) {
        StringBuilder sb = new StringBuilder(String.format("%-6s %-26s %s%n", "layer", "full", name));
        for (String layer : InitialSignal.LAYERS) {
            sb.append(String.format("%-6s %-26s %s%n", layer, fullSignal.get(layer), narrow.get(layer)));
        }
        return sb.toString();
    }

    private static void assertWeightStd(ComputationGraph net, String layer, double expected) {
        INDArray w = net.getLayer(layer).getParam("W");
        double mean = w.meanNumber().doubleValue();
        double std = w.stdNumber().doubleValue();
        assertEquals(0.0, mean, 5 * expected / Math.sqrt(w.length()), layer + " weight mean (five standard errors)");
        assertEquals(expected, std, expected * 5 * Math.sqrt(2.0 / w.length()) + 1e-5, layer + " weight std");
    }
}
