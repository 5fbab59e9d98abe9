package org.alexnet.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The CPU's fused LRN and max-pooling kernels compute what the ND4J-operation path computes,
 * forward and backward.
 */
class NativeKernelsTest {

    @Test
    void addSlicesSumsChannelRangesOfTwoArraysAsNd4jDoes() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 12, 3, 4);
        INDArray y = Nd4j.rand(DataType.FLOAT, 5, 12, 3, 4);
        for (long[] range : new long[][] {{0, 7}, {7, 12}, {0, 12}}) {
            INDArray a = x.get(NDArrayIndex.all(), NDArrayIndex.interval(range[0], range[1]), NDArrayIndex.all(),
                    NDArrayIndex.all());
            INDArray b = y.get(NDArrayIndex.all(), NDArrayIndex.interval(12 - range[1] + range[0], 12),
                    NDArrayIndex.all(), NDArrayIndex.all());
            INDArray sum = NativeKernels.addSlices(a, b);
            assertTrue(sum != null, "channels " + range[0] + "-" + range[1] + ": each image's part is contiguous");
            assertEquals(a.add(b), sum, "channels " + range[0] + "-" + range[1] + ": the same sum as ND4J's add");
        }
        INDArray one = x.get(NDArrayIndex.interval(2, 3), NDArrayIndex.interval(3, 9), NDArrayIndex.all(),
                NDArrayIndex.all());
        assertEquals(one.add(one), NativeKernels.addSlices(one, one), "a single image's channel range");
        INDArray transposed = x.reshape(60, 12).transpose();
        assertEquals(null, NativeKernels.addSlices(transposed, transposed), "rows that are not contiguous: not taken");
        assertEquals(null, NativeKernels.addSlices(x.castTo(DataType.DOUBLE), y.castTo(DataType.DOUBLE)),
                "fp64: not taken");
    }

    @Test
    void nativeKernelsAreBuiltAndLoadOnTheCpuBackend() {
        assertTrue(NativeKernels.usable(Nd4j.create(DataType.FLOAT, 1, 5, 2, 2)),
                "the native LRN library should load on this Linux CPU build (Maven builds it)");
        assertTrue(!NativeKernels.usable(Nd4j.create(DataType.DOUBLE, 1, 5, 2, 2)), "double precision takes the ND4J path");
    }

    @Test
    void withoutTheLibraryLrnRunsOnNd4jOperationsAndSaysWhy() throws Exception {
        // A fresh JVM in which the library is not loaded, as in a build without gcc.
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-D" + NativeKernels.DISABLE_PROPERTY + "=true", "-cp", System.getProperty("java.class.path"),
                NativeKernelsFallbackMain.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("native=false max diff to ND4J ops 0.0"), "the ND4J path computed the output: " + out);
        assertTrue(out.contains("native LRN and update kernels not used, they run as plain ND4J operations")
                && out.contains("disabled by -D" + NativeKernels.DISABLE_PROPERTY), "a warning says why: " + out);
    }

    @Test
    void nativeMatchesNd4jOperationsInFp32() {
        for (double beta : new double[] {0.75, 0.6}) {
            Nd4j.getRandom().setSeed(11);
            // conv1-like values after ReLU (large enough that the alpha term matters), odd sizes
            INDArray x = Nd4j.rand(DataType.FLOAT, 3, 13, 7, 5).muli(150);
            INDArray g = Nd4j.randn(DataType.FLOAT, 3, 13, 7, 5);
            LrnMath.Forward expected = LrnMath.forwardWithOps(x, 2, 5, 1e-4, beta);
            LrnMath.Forward actual = LrnMath.forward(x, 2, 5, 1e-4, beta);
            assertClose(expected.output(), actual.output(), 2e-6, "forward output, beta " + beta);
            assertClose(expected.denominator(), actual.denominator(), 2e-6, "denominator, beta " + beta);
            INDArray gradExpected = LrnMath.backwardWithOps(x, expected, g, 5, 1e-4, beta);
            INDArray gradActual = LrnMath.backward(x, actual, g, 5, 1e-4, beta);
            assertClose(gradExpected, gradActual, 1e-5, "input gradient, beta " + beta);
        }
    }

    /**
     * Max pooling, overlapping 3/2 windows (the paper's) and non-overlapping 2/2, on ReLU outputs
     * (many zeros: ties, where both must pick a window's first maximum) and odd sizes: the same
     * output and input gradient as libnd4j's maxpool2d / maxpool2d_bp.
     */
    @Test
    void maxPoolingMatchesLibnd4j() {
        for (int[] p : new int[][] {{3, 2, 13}, {3, 2, 27}, {2, 2, 9}, {3, 1, 6}}) {
            int k = p[0];
            int s = p[1];
            Nd4j.getRandom().setSeed(3);
            INDArray x = org.nd4j.linalg.ops.transforms.Transforms.relu(Nd4j.randn(DataType.FLOAT, 3, 5, p[2], p[2]));
            x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(0)).assign(0); // ties only
            int[] args = {k, k, s, s, 0, 0, 1, 1, 0, 0, 0};
            long o = (p[2] - k) / s + 1;
            INDArray expected = Nd4j.create(DataType.FLOAT, 3, 5, o, o);
            Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("maxpool2d").addInputs(x).addOutputs(expected)
                    .addIntegerArguments(args).build());
            NativeKernels.MaxPool actual = NativeKernels.maxPoolForward(x, k, k, s, s);
            assertEquals(expected, actual.output(), "max pooling " + k + "/" + s + " of " + p[2]);
            INDArray g = Nd4j.randn(DataType.FLOAT, 3, 5, o, o);
            INDArray gradExpected = x.ulike();
            Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("maxpool2d_bp").addInputs(x, g)
                    .addOutputs(gradExpected).addIntegerArguments(args).build());
            assertClose(gradExpected, NativeKernels.maxPoolBackward(actual, g, x.shape()), 1e-6,
                    "max pooling's input gradient " + k + "/" + s + " of " + p[2]);
        }
    }

    /**
     * ReLU in place and its backward pass from the output: exactly libnd4j's relu and relu_bp,
     * NaN, signed zeros and values at the threshold included.
     */
    @Test
    void reluMatchesLibnd4jExactly() {
        Nd4j.getRandom().setSeed(4);
        INDArray z = Nd4j.randn(DataType.FLOAT, 3, 5, 7, 9);
        z.putScalar(0, Float.NaN);
        z.putScalar(1, -0.0f);
        z.putScalar(2, 0.0f);
        z.putScalar(3, Float.NEGATIVE_INFINITY);
        INDArray g = Nd4j.randn(DataType.FLOAT, z.shape());
        INDArray expected = org.nd4j.linalg.ops.transforms.Transforms.relu(z, true);
        INDArray actual = z.dup();
        assertTrue(NativeKernels.reluForward(actual), "the native ReLU runs on a dense fp32 array");
        assertSameBits(expected, actual, "ReLU's output");
        assertTrue(Float.isNaN(actual.getFloat(0)), "NaN stays NaN, as libnd4j's relu keeps it");

        INDArray gradExpected = expected.ulike();
        Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("relu_bp").addInputs(expected, g)
                .addOutputs(gradExpected).addFloatingPointArguments(0.0).build());
        INDArray out = actual.dup();
        INDArray grad = NativeKernels.reluBackward(out, g);
        assertTrue(grad == out, "the gradient is written over the output, in place");
        assertSameBits(gradExpected, grad, "ReLU's input gradient");

        INDArray view = z.get(NDArrayIndex.interval(1, 2));
        assertFalse(NativeKernels.reluForward(view), "a view is left to ND4J's relu");
        assertEquals(null, NativeKernels.reluBackward(actual.dup(), g.get(NDArrayIndex.interval(1, 2))),
                "a gradient of another shape is left to ND4J's relu_bp");
    }

    @Test
    void nativePathAcceptsViewsByCopying() {
        INDArray big = Nd4j.rand(DataType.FLOAT, 4, 6, 3, 3).muli(100);
        INDArray view = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3));
        LrnMath.Forward f = LrnMath.forward(view, 2, 5, 1e-4, 0.75);
        assertClose(LrnMath.forwardWithOps(view.dup(), 2, 5, 1e-4, 0.75).output(), f.output(), 2e-6, "output of a view");
    }

    private static void assertSameBits(INDArray expected, INDArray actual, String what) {
        assertEquals(expected.length(), actual.length(), what + ": length");
        for (long i = 0; i < expected.length(); i++) {
            float e = expected.getFloat(i);
            float a = actual.getFloat(i);
            assertEquals(Float.floatToIntBits(e), Float.floatToIntBits(a), what + " at " + i + ": " + e + " expected, not " + a);
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, double relative, String what) {
        assertEquals(expected.length(), actual.length(), what + ": length");
        double scale = expected.amaxNumber().doubleValue();
        double worst = expected.sub(actual).amaxNumber().doubleValue() / scale;
        assertTrue(worst <= relative, what + ": max |native - ops| / max|ops| = " + worst + " > " + relative);
    }
}
