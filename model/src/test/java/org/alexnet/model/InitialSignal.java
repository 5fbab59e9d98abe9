package org.alexnet.model;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The signal through a net at initialisation, per layer (both columns together), after one
 * forward and backward pass: the standard deviation of each output unit across the images (what
 * of the layer's output depends on the input; the part that does not, e.g. the biases and
 * padding's mark on small maps, carries nothing), and the size of the loss's gradient with
 * respect to the layer's outputs per example (root-sum-square over the layer: how much a relative
 * change of its whole output moves the loss). The gradient per output unit is naturally larger
 * where a layer has fewer units, as the same loss is spread over fewer of them; its sum is not.
 */
final class InitialSignal {
    static final List<String> LAYERS = List.of("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7");

    private InitialSignal() {
    }

    /** Standard deviation of a layer's outputs across images and size of the loss's gradient with respect to them. */
    record Signal(double activationStd, double gradientPerExample) {
        @Override
        public String toString() {
            return String.format("act %.3g, grad %.3g", activationStd, gradientPerExample);
        }
    }

    /** A net whose per-layer gradients stay readable after a pass (no workspaces). */
    static ComputationGraph probeable(AlexNetConfig c) {
        ComputationGraphConfiguration conf = AlexNet.configuration(c);
        conf.setTrainingWorkspaceMode(WorkspaceMode.NONE);
        conf.setInferenceWorkspaceMode(WorkspaceMode.NONE);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** Per layer: both columns' outputs and gradients after one forward and backward pass on {@link #images}. */
    static Map<String, Signal> measure(ComputationGraph graph, AlexNetConfig c, int images) {
        Map<String, INDArray> activations = new HashMap<>();
        Map<String, INDArray> gradients = new HashMap<>();
        graph.setListeners(new BaseTrainingListener() {
            @Override
            public void onForwardPass(Model model, Map<String, INDArray> acts) {
                acts.forEach((k, v) -> activations.put(k, v.dup()));
            }

            @Override
            public void onBackwardPass(Model model) {
                for (GraphVertex v : ((ComputationGraph) model).getVertices()) {
                    if (v.getEpsilon() != null) {
                        gradients.put(v.getVertexName(), v.getEpsilon().dup());
                    }
                }
            }
        });
        INDArray labels = Nd4j.zeros(images, c.classes());
        for (int i = 0; i < images; i++) {
            labels.putScalar(i, i % c.classes(), 1.0);
        }
        graph.setInputs(images(images, c.inputSize(), 7));
        graph.setLabels(labels);
        graph.computeGradientAndScore();
        graph.setListeners();

        Map<String, Signal> signals = new LinkedHashMap<>();
        for (String layer : LAYERS) {
            double variance = 0;
            double gradSumSq = 0;
            long units = 0;
            for (String column : List.of("a", "b")) {
                INDArray a = activations.get(layer + column);
                long perImage = a.length() / images;
                // each unit's variance across the images: what of the layer's output depends on the input
                variance += a.reshape(images, perImage).var(true, 0).sumNumber().doubleValue();
                units += perImage;
                INDArray g = gradients.get(layer + column);
                gradSumSq += g.mul(g).sumNumber().doubleValue();
            }
            // DL4J's output layer hands back the gradient of the summed (not averaged) loss
            signals.put(layer, new Signal(Math.sqrt(variance / units), Math.sqrt(gradSumSq / images)));
        }
        return signals;
    }

    /**
     * Images with natural images' statistics, the same at any size: 0-255 pixels around 128 minus
     * the mean image (128), a random sum of colour gratings with a 1/f amplitude spectrum (natural
     * images' scale invariance) over 1 to 112 cycles per image, of which a size shows those below
     * its Nyquist frequency, scaled to a pixel standard deviation of 55 (ImageNet's is ~55-70)
     * and clipped to 0-255. The same seed gives the same picture at every size.
     */
    static INDArray images(int n, int size, long seed) {
        Random random = new Random(seed);
        float[] data = new float[n * 3 * size * size];
        int gratings = 64;
        for (int i = 0; i < n; i++) {
            List<double[]> visible = new java.util.ArrayList<>();
            for (int k = 0; k < gratings; k++) {
                double f = Math.exp(random.nextDouble() * Math.log(112));
                double angle = 2 * Math.PI * random.nextDouble();
                double[] g = {f * Math.cos(angle), f * Math.sin(angle), 2 * Math.PI * random.nextDouble(), 1 / f,
                        0.6 + 0.4 * random.nextDouble(), 0.6 + 0.4 * random.nextDouble(), 0.6 + 0.4 * random.nextDouble()};
                if (f < size / 2.0) {
                    visible.add(g);
                }
            }
            float[] image = new float[3 * size * size];
            double sumSq = 0;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        double value = 0;
                        for (double[] g : visible) {
                            value += g[4 + c] * g[3] * Math.sin(2 * Math.PI * (g[0] * x + g[1] * y) / size + g[2]);
                        }
                        image[(c * size + y) * size + x] = (float) value;
                        sumSq += value * value;
                    }
                }
            }
            double scale = 55 / Math.sqrt(sumSq / image.length);
            for (int j = 0; j < image.length; j++) {
                data[i * image.length + j] = (float) (Math.max(0, Math.min(255, 128 + scale * image[j])) - 128);
            }
        }
        return Nd4j.create(data, new long[] {n, 3, size, size});
    }
}
