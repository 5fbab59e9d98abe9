package org.alexnet.model.columns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The column plan is read off the graph's wiring: each layer's column is the side of the next
 * merge its chain feeds (column A's part comes first), whatever the layer is called.
 */
class ColumnPlanTest {

    @Test
    void thePapersNetInColumnsAAndB() {
        AlexNetConfig config = AlexNetConfig.preset("tiny", Map.of());
        ColumnPlan plan = ColumnPlan.of(AlexNet.build(config));
        List<String> names = List.of("conv1", "norm1", "pool1", "conv2", "norm2", "pool2", "conv3", "conv4", "conv5",
                "pool5", "fc6", "drop6", "fc7", "drop7");
        for (int c = 0; c < 2; c++) {
            String letter = c == 0 ? "a" : "b";
            assertEquals(names.stream().map(n -> n + letter).toList(), layers(plan.columns().get(c)),
                    "column " + letter + "'s layers in forward order");
            assertEquals(names, plan.columns().get(c).stream().map(ColumnPlan.Step::name).toList(),
                    "the names both columns' layers share");
        }
        assertEquals("fc8", plan.output().layer(), "the output layer, in column A");
        assertEquals(List.of("conv3", "fc6", "fc7", "fc8"), plan.exchangePoints());
        assertEquals(ColumnPlan.Source.IMAGE, plan.columns().get(1).get(0).source(), "conv1b reads the image");
        assertEquals("fc8", plan.stepsOf(0).get(plan.stepsOf(0).size() - 1).layer(), "column A computes fc8 last");
        assertEquals(plan.columns().get(1), plan.stepsOf(1), "column B computes its own layers only");
    }

    /** Layers named "...b" whose outputs come first in every merge are column A's, and "...a" column B's. */
    @Test
    void theColumnFollowsTheMergesNotTheNames() {
        ComputationGraph graph = twoColumns(new String[] {"h1b", "h2b"}, new String[] {"h1a", "h2a"});
        ColumnPlan plan = ColumnPlan.of(graph);
        assertEquals(List.of("h1b", "h2b"), layers(plan.columns().get(0)), "column A: the merges' first inputs");
        assertEquals(List.of("h1a", "h2a"), layers(plan.columns().get(1)), "column B: the merges' second inputs");
        assertEquals(List.of("h1", "h2"), plan.columns().get(1).stream().map(ColumnPlan.Step::name).toList());
        assertEquals(List.of("h2", "out"), plan.exchangePoints(), "the readers of the merges");

        // the two columns' layers at one place answer to one name (activations("h1")): they must share one
        ComputationGraph unrelated = twoColumns(new String[] {"left1", "left2"}, new String[] {"right1", "right2"});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ColumnPlan.of(unrelated));
        assertTrue(e.getMessage().contains("left1 and right1 do not share a name"), e.getMessage());
    }

    @Test
    void refusesAColumnWithoutItsTwin() {
        GraphBuilder g = builder();
        g.addLayer("h1a", dense(), "input").addLayer("h1b", dense(), "input").addLayer("h2a", dense(), "h1a")
                .addVertex("m", new MergeVertex(), "h2a", "h1b").addLayer("out", output(), "m").setOutputs("out");
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ColumnPlan.of(graph));
        assertTrue(e.getMessage().contains("the columns differ"), e.getMessage());
    }

    private static List<String> layers(List<ColumnPlan.Step> steps) {
        return steps.stream().map(ColumnPlan.Step::layer).toList();
    }

    /** input -> first[0] | second[0] -> merge -> first[1] | second[1] -> merge -> out, first's part first. */
    private static ComputationGraph twoColumns(String[] first, String[] second) {
        GraphBuilder g = builder();
        g.addLayer(first[0], dense(), "input").addLayer(second[0], dense(), "input")
                .addVertex("m1", new MergeVertex(), first[0], second[0])
                .addLayer(first[1], dense(), "m1").addLayer(second[1], dense(), "m1")
                .addVertex("m2", new MergeVertex(), first[1], second[1])
                .addLayer("out", output(), "m2").setOutputs("out");
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        return graph;
    }

    private static GraphBuilder builder() {
        return new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("input")
                .setInputTypes(InputType.feedForward(4));
    }

    private static DenseLayer dense() {
        return new DenseLayer.Builder().nOut(3).build();
    }

    private static OutputLayer output() {
        return new OutputLayer.Builder(LossFunction.MCXENT).nOut(2).build();
    }
}
