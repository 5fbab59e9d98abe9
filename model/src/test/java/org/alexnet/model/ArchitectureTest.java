package org.alexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.alexnet.model.cli.Describe;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.junit.jupiter.api.Test;

/** The topology of the paper's table: names, who reads whom, shapes and parameter counts. */
class ArchitectureTest {
    private static final AlexNetConfig FULL = AlexNetConfig.preset("full", Map.of());

    @Test
    void describeEndsWithThePapersParameterCount() {
        String table = Describe.describe(FULL);
        String[] lines = table.strip().split("\n");
        assertEquals("parameters: 60965224", lines[lines.length - 1], "the two-column net with 1000 classes has 60,965,224 parameters");
    }

    @Test
    void perLayerParameterCountsMatchThePaper() {
        ComputationGraphConfiguration conf = AlexNet.configuration(FULL);
        Map<String, Long> expected = Map.of("conv1", 34_944L, "conv2", 307_456L, "conv3", 885_120L, "conv4", 663_936L,
                "conv5", 442_624L, "fc6", 37_752_832L, "fc7", 16_781_312L);
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            long both = params(conf, e.getKey() + "a") + params(conf, e.getKey() + "b");
            assertEquals(e.getValue(), both, e.getKey() + " parameters over both columns");
        }
        assertEquals(4_097_000L, params(conf, "fc8"), "fc8 parameters");
    }

    @Test
    void everyWeightIsDecayedExactlyOnceAndNoBias() {
        ComputationGraphConfiguration conf = AlexNet.configuration(FULL);
        int layersWithWeights = 0;
        for (var v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer base
                    && base.initializer().numParams(base) > 0) {
                String name = base.getLayerName();
                assertEquals(List.of(new PaperWeightDecay(0.0005)), base.getRegularizationByParam("W"), name + " weight decay");
                assertTrue(base.getRegularizationByParam("b") == null || base.getRegularizationByParam("b").isEmpty(),
                        name + " bias is not decayed");
                layersWithWeights++;
            }
        }
        assertEquals(15, layersWithWeights, "conv1-5 and fc6-7 in two columns, plus fc8");
    }

    @Test
    void columnsTalkOnlyWhereThePaperSays() {
        Map<String, List<String>> inputs = AlexNet.configuration(FULL).getVertexInputs();
        for (String col : List.of("a", "b")) {
            assertEquals(List.of("input"), inputs.get("conv1" + col));
            assertEquals(List.of("pool1" + col), inputs.get("conv2" + col), "conv2 reads its own column");
            assertEquals(List.of("pool2ab"), inputs.get("conv3" + col), "conv3 reads both columns");
            assertEquals(List.of("conv3" + col), inputs.get("conv4" + col), "conv4 reads its own column");
            assertEquals(List.of("conv4" + col), inputs.get("conv5" + col), "conv5 reads its own column");
            assertEquals(List.of("pool5ab"), inputs.get("fc6" + col), "fc6 reads both columns");
            assertEquals(List.of("drop6ab"), inputs.get("fc7" + col), "fc7 reads both columns");
        }
        assertEquals(List.of("pool2a", "pool2b"), inputs.get("pool2ab"));
        assertEquals(List.of("pool5a", "pool5b"), inputs.get("pool5ab"));
        assertEquals(List.of("drop7ab"), inputs.get("fc8"), "fc8 reads both columns");
        assertEquals(List.of("drop7a", "drop7b"), inputs.get("drop7ab"));
    }

    @Test
    void shapesFollowThePaper() {
        Map<String, InputType> shapes = AlexNet.configuration(FULL)
                .getLayerActivationTypes(InputType.convolutional(224, 224, 3));
        assertEquals("48x55x55", chw(shapes.get("conv1a")), "conv1: 224 -> 55 with padding 2");
        assertEquals("48x27x27", chw(shapes.get("pool1b")));
        assertEquals("128x13x13", chw(shapes.get("pool2a")));
        assertEquals("256x13x13", chw(shapes.get("pool2ab")));
        assertEquals("128x6x6", chw(shapes.get("pool5b")));
        assertEquals(9216, shapes.get("pool5ab").arrayElementsPerExample(), "fc6 reads 9216 values");
        assertEquals(1000, shapes.get("fc8").arrayElementsPerExample());
    }

    @Test
    void oneColumnComparisonNetHasFullConv5AndFcLayers() {
        AlexNetConfig one = AlexNetConfig.preset("full", Map.of("model.columns", "1"));
        ComputationGraphConfiguration conf = AlexNet.configuration(one);
        assertEquals(48, ((ConvolutionLayer) layer(conf, "conv1")).getNOut(), "conv1 has half the paper's 96 kernels");
        assertEquals(256, ((ConvolutionLayer) layer(conf, "conv5")).getNOut(), "conv5 keeps its full 256 kernels");
        String table = Describe.describe(one);
        // 17,472 + 153,728 + 221,376 + 331,968 + 442,624 + 37,752,832 + 16,781,312 + 4,097,000
        assertTrue(table.strip().endsWith("parameters: 59798312"), table);
    }

    @Test
    void ablationSwitchesChangeTheNet() {
        ComputationGraphConfiguration noLrn = AlexNet.configuration(AlexNetConfig.preset("full", Map.of("model.lrn", "false")));
        assertFalse(noLrn.getVertices().containsKey("norm1a"), "LRN off removes the normalisation layers");
        assertEquals(List.of("conv1a"), noLrn.getVertexInputs().get("pool1a"));

        ComputationGraphConfiguration flat = AlexNet.configuration(AlexNetConfig.preset("full", Map.of("model.pooling", "non-overlapping")));
        SubsamplingLayer pool = (SubsamplingLayer) layer(flat, "pool1a");
        assertEquals(2, pool.getKernelSize()[0]);
        assertEquals(2, pool.getStride()[0]);
        assertEquals("256x6x6", chw(flat.getLayerActivationTypes(InputType.convolutional(224, 224, 3)).get("pool5ab")),
                "2x2/2 pooling gives the same 6x6 maps");

        ComputationGraphConfiguration tanh = AlexNet.configuration(AlexNetConfig.preset("full", Map.of("model.activation", "tanh")));
        assertEquals("tanh", ((ConvolutionLayer) layer(tanh, "conv3b")).getActivationFn().toString());
    }

    @Test
    void smallerPresetsKeepTheTopology() {
        for (String preset : List.of("small", "tiny")) {
            ComputationGraphConfiguration conf = AlexNet.configuration(AlexNetConfig.preset(preset, Map.of("model.classes", "10")));
            assertEquals(AlexNet.configuration(FULL).getVertices().keySet(), conf.getVertices().keySet(),
                    preset + " has the same named layers as the paper's net");
        }
    }

    private static long params(ComputationGraphConfiguration conf, String name) {
        LayerVertex v = (LayerVertex) conf.getVertices().get(name);
        return v.getLayerConf().getLayer().initializer().numParams(v.getLayerConf());
    }

    private static org.deeplearning4j.nn.conf.layers.Layer layer(ComputationGraphConfiguration conf, String name) {
        return ((LayerVertex) conf.getVertices().get(name)).getLayerConf().getLayer();
    }

    private static String chw(InputType t) {
        InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) t;
        return c.getChannels() + "x" + c.getHeight() + "x" + c.getWidth();
    }
}
