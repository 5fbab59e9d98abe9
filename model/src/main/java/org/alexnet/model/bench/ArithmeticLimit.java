package org.alexnet.model.bench;

import java.util.List;
import java.util.Map;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How fast a training step could at best be on this machine: the floating-point operations one
 * image costs, counted from the network's layer shapes, against the fp32 matrix-multiply rate
 * this machine reaches (a large SGEMM through ND4J's BLAS, all cores, best of a few).
 *
 * <p>Counted: every convolution's and fully connected layer's multiply-adds (2 FLOPs each) once
 * forward, once for the weight gradient and once for the input gradient, except the input
 * gradient of the layers that read the image, which training does not need. Pooling, LRN,
 * activations, dropout, the loss and the update are left out (a few percent, and memory-bound).
 */
public final class ArithmeticLimit {
    /** SGEMM size for the peak: large enough for BLAS to reach its steady rate, ~50 ms a product. */
    static final int PEAK_SIZE = 2048;

    private ArithmeticLimit() {
    }

    /**
     * Training FLOPs per image of a graph.
     *
     * @param forward     multiply-adds x 2, forward
     * @param backward    weight gradients and the input gradients that training needs
     */
    public record Flops(double forward, double backward) {
        public double training() {
            return forward + backward;
        }
    }

    /** The FLOPs per image of one training step of the configured AlexNet (see the class comment for what counts). */
    public static Flops perImage(AlexNetConfig model) {
        return perImage(AlexNet.configuration(model), InputType.convolutional(model.inputSize(), model.inputSize(), 3));
    }

    /** The FLOPs per image of one training step of a network with this input. */
    static Flops perImage(ComputationGraphConfiguration conf, InputType input) {
        Map<String, InputType> outputTypes = conf.getLayerActivationTypes(input);
        Map<String, List<String>> vertexInputs = conf.getVertexInputs();
        double forward = 0;
        double backward = 0;
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex v)) {
                continue;
            }
            double macs = multiplyAdds(v.getLayerConf().getLayer(), outputTypes.get(e.getKey()));
            boolean readsImage = conf.getNetworkInputs().containsAll(vertexInputs.get(e.getKey()));
            forward += 2 * macs;
            backward += 2 * macs * (readsImage ? 1 : 2);
        }
        return new Flops(forward, backward);
    }

    private static double multiplyAdds(Layer layer, InputType output) {
        if (layer instanceof ConvolutionLayer c) {
            InputType.InputTypeConvolutional out = (InputType.InputTypeConvolutional) output;
            int[] k = c.getKernelSize();
            return (double) c.getNOut() * out.getHeight() * out.getWidth() * c.getNIn() * k[0] * k[1];
        }
        if (layer instanceof DenseLayer || layer instanceof BaseOutputLayer) {
            FeedForwardLayer f = (FeedForwardLayer) layer;
            return (double) f.getNIn() * f.getNOut();
        }
        return 0; // pooling, LRN, dropout: no multiply-adds worth counting
    }

    /**
     * This machine's fp32 matrix-multiply rate: {@value #PEAK_SIZE}-square SGEMMs through ND4J's
     * BLAS, best of {@code tries} after a warm-up, once on all cores and once on one core (times
     * the cores: what two independent single-threaded columns can reach, and less hurt by other
     * processes than one product whose threads wait for each other).
     *
     * @param allCores FLOP/s of one product on all cores
     * @param oneCore  FLOP/s of one product on one core
     * @param cores    the cores the JVM may use
     */
    public record Peak(double allCores, double oneCore, int cores) {
        /** The better of the two, in FLOP/s. */
        public double flopsPerSecond() {
            return Math.max(allCores, oneCore * cores);
        }
    }

    /** Measures {@link Peak}. */
    public static Peak peak(int tries) {
        org.nd4j.linalg.api.blas.Blas blas = Nd4j.factory().blas();
        int threads = blas.getMaxThreads();
        double all = gemmFlopsPerSecond(PEAK_SIZE, tries);
        double one;
        blas.setMaxThreads(1);
        try {
            one = gemmFlopsPerSecond(PEAK_SIZE, tries);
        } finally {
            blas.setMaxThreads(threads);
        }
        return new Peak(all, one, Runtime.getRuntime().availableProcessors());
    }

    /** The best rate of {@code tries} fp32 products of two n x n matrices, after one warm-up product. */
    static double gemmFlopsPerSecond(int n, int tries) {
        INDArray a = Nd4j.rand(DataType.FLOAT, 'f', n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, 'f', n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, new long[] {n, n}, 'f');
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < tries; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return 2.0 * n * n * n / (Math.max(1, best) / 1e9);
    }

    /** The report line: the limit this peak implies and how close a measured rate comes to it. */
    public static String report(Flops flops, Peak peak, double imagesPerSecond) {
        double limit = peak.flopsPerSecond() / flops.training();
        return String.format("arithmetic limit: %.2f GFLOP per image (forward %.2f, backward %.2f) at this machine's "
                        + "fp32 peak of %.1f GFLOP/s (SGEMM %d: %.1f on all %d cores, %.1f on one) = %.1f images/s; "
                        + "the step's %.2f images/s are %.0f%% of it",
                flops.training() / 1e9, flops.forward() / 1e9, flops.backward() / 1e9, peak.flopsPerSecond() / 1e9,
                PEAK_SIZE, peak.allCores() / 1e9, peak.cores(), peak.oneCore() / 1e9, limit, imagesPerSecond,
                100 * imagesPerSecond / limit);
    }
}
