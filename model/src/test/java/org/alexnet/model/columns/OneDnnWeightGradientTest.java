package org.alexnet.model.columns;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * conv1's weight gradient alone through oneDNN's backward-weights primitive equals the weight
 * and bias gradient of libnd4j's conv2d_bp (the path every other layer takes), written into
 * views of a flat gradient vector as the column executor does, for conv1's geometry (11x11,
 * stride 4, padding 2, 3 channels) and for another one, and after the batch size changes.
 */
class OneDnnWeightGradientTest {

    @Test
    void equalsConv2dBpOnConv1sGeometry() {
        check(new int[] {11, 11}, new int[] {4, 4}, new int[] {2, 2}, 3, 8, 39, new int[] {4, 2});
    }

    @Test
    void equalsConv2dBpOnAPaddedStrideOneConvolution() {
        check(new int[] {5, 5}, new int[] {1, 1}, new int[] {2, 2}, 16, 24, 13, new int[] {3});
    }

    private static void check(int[] kernel, int[] stride, int[] padding, int in, int out, int side, int[] batches) {
        assertTrue(OneDnnWeightGradient.usable(Nd4j.create(DataType.FLOAT, 1, 1, 1, 1)),
                "oneDNN's library (org.bytedeco:dnnl) loads on the CPU backend, as the build ships it");
        OneDnnWeightGradient gradient = new OneDnnWeightGradient(kernel, stride, padding);
        Nd4j.getRandom().setSeed(7);
        INDArray w = Nd4j.randn(DataType.FLOAT, out, in, kernel[0], kernel[1]).muli(0.01);
        INDArray b = Nd4j.randn(DataType.FLOAT, out);
        int[] args = {kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], 1, 1, 0, 0, 1};
        long outSide = (side + 2L * padding[0] - kernel[0]) / stride[0] + 1;
        for (int n : batches) {
            INDArray x = Nd4j.randn(DataType.FLOAT, n, in, side, side).muli(50);
            INDArray dz = Nd4j.randn(DataType.FLOAT, n, out, outSide, outSide);
            INDArray expectedW = w.ulike();
            INDArray expectedB = b.ulike();
            Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, b, dz)
                    .addOutputs(x.ulike(), expectedW, expectedB).addIntegerArguments(args).build());
            // a flat gradient vector with something before and after the layer's views
            long lw = w.length();
            INDArray flat = Nd4j.valueArrayOf(new long[] {5 + lw + out + 5}, 123f, DataType.FLOAT);
            INDArray gradW = flat.get(NDArrayIndex.interval(5, 5 + lw)).reshape('c', w.shape());
            INDArray gradB = flat.get(NDArrayIndex.interval(5 + lw, 5 + lw + out));
            gradient.compute(x, dz, gradW, gradB);
            assertClose(expectedW, gradW, "weight gradient, batch " + n);
            assertClose(expectedB, gradB, "bias gradient, batch " + n);
            assertTrue(flat.getDouble(4) == 123 && flat.getDouble(5 + lw + out) == 123,
                    "nothing written outside the layer's views");
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = expected.amaxNumber().doubleValue();
        double diff = expected.sub(actual.reshape(expected.shape())).amaxNumber().doubleValue();
        assertTrue(scale > 0 && diff <= 1e-5 * scale, what + ": max difference " + diff + " for max magnitude " + scale);
    }
}
