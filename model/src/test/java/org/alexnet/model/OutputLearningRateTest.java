package org.alexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

/**
 * The output layer's learning rate: the paper's rate for the paper's net on 1000 classes, a
 * multiple min(1, classes/1000 x paper fc7 width / fc7 width) of it otherwise, kept through
 * schedule changes and through the saved graph configuration.
 */
class OutputLearningRateTest {

    private static AlexNetConfig net(String preset, int classes) {
        return AlexNetConfig.preset(preset, Map.of("model.classes", Integer.toString(classes)));
    }

    @Test
    void thePapersNetOnImageNetLearnsAtOneRate() {
        assertEquals(1.0, AlexNet.outputLearningRateScale(net("full", 1000)), 0, "full preset, 1000 classes");
        assertEquals(1.0, AlexNet.outputLearningRateScale(net("full", 10184)), 0,
                "more classes than ImageNet's never raises the rate (ImageNet Fall 2009: 10,184)");
        ComputationGraph graph = AlexNet.build(net("full", 1000));
        assertEquals(graph.getLearningRate("conv1a"), graph.getLearningRate(AlexNet.OUTPUT), 0,
                "fc8 learns at the rate of every other layer");
    }

    @Test
    void fewerClassesAndANarrowerFc7ScaleTheOutputLayersRate() {
        assertEquals(0.01, AlexNet.outputLearningRateScale(net("full", 10)), 1e-12, "10/1000 x 4096/4096");
        assertEquals(0.04, AlexNet.outputLearningRateScale(net("small", 10)), 1e-12, "10/1000 x 4096/1024");
        assertEquals(0.16, AlexNet.outputLearningRateScale(net("tiny", 10)), 1e-12, "10/1000 x 4096/256");
        assertEquals(0.064, AlexNet.outputLearningRateScale(net("tiny", 4)), 1e-12, "the demo's 4 classes");
        AlexNetConfig oneColumn = AlexNetConfig.preset("small", Map.of("model.classes", "10", "model.columns", "1"));
        assertEquals(0.04, AlexNet.outputLearningRateScale(oneColumn), 1e-12,
                "the one-column net compares with the one-column net of the paper's size");
    }

    @Test
    void aScheduleChangeKeepsTheMultiple() {
        AlexNetConfig small = net("small", 10);
        ComputationGraph graph = AlexNet.build(small);
        assertEquals(0.01 * 0.04, graph.getLearningRate(AlexNet.OUTPUT), 1e-15, "fc8 starts at 0.04 x 0.01");
        assertEquals(0.01, graph.getLearningRate("fc7a"), 1e-15, "fc7a starts at the network's rate");
        graph.setLearningRate(0.001);
        assertEquals(0.001 * 0.04, graph.getLearningRate(AlexNet.OUTPUT), 1e-15, "fc8 after the rate is divided by 10");
        assertEquals(0.001, graph.getLearningRate("conv3b"), 1e-15, "conv3b after the rate is divided by 10");
    }

    @Test
    void oneStepOfTheColumnExecutorMovesFc8ByItsMultiple() {
        AlexNetConfig small = AlexNetConfig.preset("small", Map.of("model.classes", "10", "model.dropout", "0"));
        ComputationGraph scaled = AlexNet.build(small);
        ComputationGraph plain = scaled.clone();
        plain.getConfiguration().getVertices().forEach((name, v) -> {
            if (v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                    && lv.getLayerConf().getLayer() instanceof BaseLayer b && b.getIUpdater() instanceof ClassicalMomentum m) {
                b.setIUpdater(new ClassicalMomentum(m.getLearningRate(), m.getMomentum()));
            }
        });
        org.nd4j.linalg.dataset.api.MultiDataSet batch = org.alexnet.model.bench.TrainStepBenchmark.randomBatch(small, 4, 1);
        org.nd4j.linalg.api.ndarray.INDArray before = scaled.getParam("fc8_W").dup();
        for (ComputationGraph g : new ComputationGraph[] {scaled, plain}) {
            try (org.alexnet.model.columns.ColumnExecutor columns =
                         org.alexnet.model.columns.ColumnExecutor.onCurrentDevice(g, small)) {
                columns.fit(batch);
                columns.writeBack();
            }
        }
        double moved = scaled.getParam("fc8_W").sub(before).norm2Number().doubleValue();
        double movedPlain = plain.getParam("fc8_W").sub(before).norm2Number().doubleValue();
        assertEquals(0.04, moved / movedPlain, 1e-4, "fc8's first step is 0.04 of the step at the network's rate");
        assertEquals(plain.getParam("fc7a_W"), scaled.getParam("fc7a_W"), "the layers below take the same first step");
    }

    @Test
    void theSavedConfigurationKeepsTheMultipleAndOldFilesReadAsOne() {
        ComputationGraphConfiguration conf = AlexNet.configuration(net("tiny", 10));
        String json = conf.toJson();
        ComputationGraphConfiguration read = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, read, "the configuration survives its JSON");
        assertEquals(0.16, momentum(read, AlexNet.OUTPUT).getLearningRateScale(), 1e-12, "fc8's multiple read back");

        String old = json.replaceAll(",?\\s*\"learningRateScale\"\\s*:\\s*[0-9.eE+-]+", "");
        assertNotEquals(json, old, "the test removed the field as a file written before it existed lacks it");
        assertEquals(1.0, momentum(ComputationGraphConfiguration.fromJson(old), AlexNet.OUTPUT).getLearningRateScale(), 0,
                "a file without the field learns at one rate, as it did when it was written");
    }

    private static ClassicalMomentum momentum(ComputationGraphConfiguration conf, String layer) {
        return (ClassicalMomentum) ((BaseLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) conf.getVertices().get(layer))
                .getLayerConf().getLayer()).getIUpdater();
    }
}
