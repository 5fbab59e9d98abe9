package org.alexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The model's LRN layer against the paper's formula, computed by hand, in both alpha conventions. */
class LocalResponseNormalizationTest {

    @Test
    void paperConventionMatchesTheFormulaAsPrinted() {
        checkAgainstHandComputation("paper", 1e-4);
    }

    @Test
    void dividedByNConventionUsesAlphaOverN() {
        checkAgainstHandComputation("divided-by-n", 1e-4 / 5);
    }

    /**
     * The layer's backward pass is the exact derivative of its forward pass: central finite
     * differences of sum(g * LRN(x)) on values large enough that the alpha term matters (where
     * DL4J's own LRN backward, which divides by the wrong denominator, is visibly off).
     */
    @Test
    void backwardIsTheExactDerivative() {
        AlexNetConfig c = AlexNetConfig.preset("full", Map.of("model.precision", "double", "model.dropout", "0"));
        org.deeplearning4j.nn.api.Layer lrn = AlexNet.build(c).getLayer("norm1a");
        var mgr = org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces();
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 48, 3, 3).muli(200);
        INDArray g = Nd4j.randn(DataType.DOUBLE, 2, 48, 3, 3);
        lrn.setInput(x.dup(), mgr);
        lrn.activate(true, mgr);
        INDArray analytic = lrn.backpropGradient(g, mgr).getSecond().dup();
        double eps = 1e-4;
        double worst = 0;
        for (long i = 0; i < x.length(); i += 7) {
            double v = x.getDouble(i);
            x.putScalar(i, v + eps);
            double plus = lrn.activate(x.dup(), true, mgr).mul(g).sumNumber().doubleValue();
            x.putScalar(i, v - eps);
            double minus = lrn.activate(x.dup(), true, mgr).mul(g).sumNumber().doubleValue();
            x.putScalar(i, v);
            double numeric = (plus - minus) / (2 * eps);
            worst = Math.max(worst, Math.abs(numeric - analytic.getDouble(i)) / Math.max(1e-3, Math.abs(numeric)));
        }
        org.junit.jupiter.api.Assertions.assertTrue(worst < 1e-6,
                "LRN backward vs finite differences: worst relative error " + worst);
    }

    /**
     * Runs the model's norm1a on a 1x48x2x2 activation with large values (so the alpha term
     * matters) and compares with b = a / (k + alpha' * sum_{j=max(0,i-2)}^{min(47,i+2)} a_j^2)^beta.
     */
    private static void checkAgainstHandComputation(String convention, double effectiveAlpha) {
        AlexNetConfig c = AlexNetConfig.preset("full", Map.of("model.precision", "double", "model.dropout", "0",
                "model.lrn.alpha-convention", convention, "model.lrn.alpha", "1e-4"));
        ComputationGraph graph = AlexNet.build(c);
        org.deeplearning4j.nn.api.Layer lrn = graph.getLayer("norm1a");

        int channels = 48;
        double[][][] a = new double[channels][2][2];
        INDArray input = Nd4j.create(DataType.DOUBLE, 1, channels, 2, 2);
        java.util.Random r = new java.util.Random(7);
        for (int ch = 0; ch < channels; ch++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    a[ch][y][x] = r.nextDouble() * 100;  // post-ReLU scale of conv1 on 0-255 images
                    input.putScalar(new int[] {0, ch, y, x}, a[ch][y][x]);
                }
            }
        }
        INDArray out = lrn.activate(input, false, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());

        double k = 2, beta = 0.75;
        int n = 5;
        for (int i = 0; i < channels; i++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    double sum = 0;
                    for (int j = Math.max(0, i - n / 2); j <= Math.min(channels - 1, i + n / 2); j++) {
                        sum += a[j][y][x] * a[j][y][x];
                    }
                    double expected = a[i][y][x] / Math.pow(k + effectiveAlpha * sum, beta);
                    assertEquals(expected, out.getDouble(0, i, y, x), 1e-12 * Math.abs(expected) + 1e-15,
                            "LRN output at map " + i + " (" + convention + " convention)");
                }
            }
        }
    }
}
