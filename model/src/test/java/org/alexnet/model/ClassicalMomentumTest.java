package org.alexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The paper's rule v <- 0.9 v - 0.0005 lr w - lr g, w <- w + v, checked for two steps against
 * numbers computed by hand: once on the updater alone, once through DL4J's whole fit() path.
 */
class ClassicalMomentumTest {
    private static final double LR = 0.01;
    private static final double M = 0.9;
    private static final double WD = 0.0005;

    @Test
    void twoStepsOfTheUpdaterAloneMatchHandComputation() {
        INDArray w = Nd4j.create(new double[] {1.0, -2.0});
        INDArray state = Nd4j.zeros(DataType.DOUBLE, 1, 2);
        ClassicalMomentumUpdater updater = (ClassicalMomentumUpdater) new ClassicalMomentum(LR, M).instantiate(state, true);
        PaperWeightDecay decay = new PaperWeightDecay(WD);

        // step 1: g = (0.5, 0.25)
        // v1 = 0.9*0 - 0.0005*0.01*w - 0.01*g = (-0.000005 - 0.005, 0.00001 - 0.0025) = (-0.005005, -0.00249)
        // w1 = w + v1 = (0.994995, -2.00249)
        step(w, Nd4j.create(new double[] {0.5, 0.25}), updater, decay);
        assertEquals(0.994995, w.getDouble(0), 1e-15, "w[0] after step 1");
        assertEquals(-2.00249, w.getDouble(1), 1e-15, "w[1] after step 1");
        assertEquals(-0.005005, state.getDouble(0, 0), 1e-15, "v[0] after step 1");

        // step 2: g = (-1, 2)
        // v2 = 0.9*v1 - 0.000005*w1 - 0.01*g
        //    = (-0.0045045 - 0.000004974975 + 0.01, -0.002241 + 0.00001001245 - 0.02)
        //    = (0.005490525025, -0.02223098755)
        // w2 = w1 + v2 = (1.000485525025, -2.02472098755)
        step(w, Nd4j.create(new double[] {-1.0, 2.0}), updater, decay);
        assertEquals(1.000485525025, w.getDouble(0), 1e-14, "w[0] after step 2");
        assertEquals(-2.02472098755, w.getDouble(1), 1e-14, "w[1] after step 2");
        assertEquals(0.005490525025, state.getDouble(0, 0), 1e-14, "v[0] after step 2");
    }

    /** What DL4J does for one parameter block: decay before the updater, then w -= update. */
    private static void step(INDArray w, INDArray g, ClassicalMomentumUpdater updater, PaperWeightDecay decay) {
        decay.apply(w, g, LR, 0, 0);
        updater.applyUpdater(g, 0, 0);
        w.subi(g);
    }

    /**
     * One linear unit p = w x + b, squared error (y - p)^2, trained by ComputationGraph.fit with
     * the project's updater and decay. Gradients by hand: dL/dw = -2 (y - p) x, dL/db = -2 (y - p);
     * the bias is not decayed.
     */
    @Test
    void twoStepsOfFitMatchHandComputation() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .updater(new ClassicalMomentum(LR, M))
                .graphBuilder()
                .addInputs("x")
                .setInputTypes(InputType.feedForward(1))
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1)
                        .activation(Activation.IDENTITY).regularization(List.of(new PaperWeightDecay(WD))).build(), "x")
                .setOutputs("out")
                .build());
        graph.init();
        graph.getLayer("out").setParam("W", Nd4j.create(new double[][] {{0.5}}));
        graph.getLayer("out").setParam("b", Nd4j.create(new double[][] {{0.1}}));
        MultiDataSet example = new MultiDataSet(Nd4j.create(new double[][] {{2.0}}), Nd4j.create(new double[][] {{3.0}}));

        // step 1: p = 0.5*2 + 0.1 = 1.1; r = y - p = 1.9; gw = -2*1.9*2 = -7.6; gb = -3.8
        // vw = -0.01*(-7.6 + 0.0005*0.5) = 0.0759975 ; w1 = 0.5759975
        // vb = -0.01*(-3.8) = 0.038 ; b1 = 0.138
        graph.fit(example);
        assertEquals(0.5759975, graph.getLayer("out").getParam("W").getDouble(0), 1e-12, "w after fit step 1");
        assertEquals(0.138, graph.getLayer("out").getParam("b").getDouble(0), 1e-12, "b after fit step 1");

        // step 2: p = 0.5759975*2 + 0.138 = 1.289995; r = 1.710005; gw = -6.84002; gb = -3.42001
        // vw = 0.9*0.0759975 - 0.01*(-6.84002 + 0.0005*0.5759975) = 0.06839775 + 0.0683973200125
        //    = 0.1367950700125 ; w2 = 0.5759975 + 0.1367950700125 = 0.7127925700125
        // vb = 0.9*0.038 + 0.0342001 = 0.0684001 ; b2 = 0.2064001
        graph.fit(example);
        assertEquals(0.7127925700125, graph.getLayer("out").getParam("W").getDouble(0), 1e-11, "w after fit step 2");
        assertEquals(0.2064001, graph.getLayer("out").getParam("b").getDouble(0), 1e-11, "b after fit step 2");
    }
}
