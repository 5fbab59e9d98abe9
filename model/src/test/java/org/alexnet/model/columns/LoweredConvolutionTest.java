package org.alexnet.model.columns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alexnet.model.layers.NativeKernels;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The lowered convolution (blocks of output rows lowered by im2col and multiplied by oneDNN's
 * sgemm) gives libnd4j's conv2d output, computed in fp64 as the reference, to fp32 rounding: for
 * the paper's conv1 on a 224x224 image (many blocks, the last one partial), strides 1 to 4,
 * paddings that cover whole rows and columns, non-square maps and weights and bias that are views
 * of a flat parameter vector, as the executor passes them. The lowering itself is checked value
 * by value against a plain Java im2col, with and without slack after each lowered row.
 */
class LoweredConvolutionTest {
    @Test
    void thePapersConv1MatchesTheDirectConvolution() {
        check(1, 3, 4, 224, 224, 11, 4, 2);
    }

    @Test
    void otherStridesPaddingsAndShapesMatchTheDirectConvolution() {
        check(2, 3, 5, 35, 35, 11, 4, 2);
        check(2, 4, 6, 9, 7, 3, 1, 0);
        check(1, 2, 3, 17, 12, 5, 2, 1);
        check(2, 1, 2, 10, 13, 7, 3, 3);
        check(1, 5, 8, 20, 20, 1, 1, 0);
    }

    @Test
    void theLoweringHoldsEveryTapOfEveryOutputInItsRow() {
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 2, 13, 11);
        int[] kernel = {5, 3};
        int[] stride = {3, 2};
        int[] padding = {2, 1};
        int oh = (13 + 4 - 5) / 3 + 1;
        int ow = (11 + 2 - 3) / 2 + 1;
        int oh0 = 1;
        int oh1 = 4;
        long width = (long) (oh1 - oh0) * ow;
        for (long slack : new long[] {0, 8}) {
            long ld = width + slack;
            INDArray col = Nd4j.valueArrayOf(new long[] {2 * 5 * 3 * ld}, Float.NaN, DataType.FLOAT);
            NativeKernels.lowerRows(x, 1, col, ld, kernel, stride, padding, oh0, oh1, ow);
            for (int c = 0; c < 2; c++) {
                for (int a = 0; a < 5; a++) {
                    for (int b = 0; b < 3; b++) {
                        for (int i = oh0; i < oh1; i++) {
                            for (int j = 0; j < ow; j++) {
                                int r = i * 3 + a - 2;
                                int u = j * 2 + b - 1;
                                double expected = r < 0 || r >= 13 || u < 0 || u >= 11 ? 0 : x.getDouble(1, c, r, u);
                                long at = ((c * 5L + a) * 3 + b) * ld + (long) (i - oh0) * ow + j;
                                assertEquals(expected, col.getDouble(at), "slack " + slack + ": channel " + c + " tap "
                                        + a + "," + b + " of output " + i + "," + j);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(oh >= oh1, "the rows lowered are output rows");
    }

    @Test
    void fp64KeepsLibnd4jsConvolution() {
        assertTrue(LoweredConvolution.usable(Nd4j.create(DataType.FLOAT, 1, 3, 8, 8)),
                "the native kernels and oneDNN's library load on the CPU backend, as the build ships them");
        assertFalse(LoweredConvolution.usable(Nd4j.create(DataType.DOUBLE, 1, 3, 8, 8)), "fp64 keeps conv2d");
        assertFalse(LoweredConvolution.applies(new int[] {2, 2}), "dilated kernels keep conv2d");
    }

    private static void check(int n, int c, int k, int h, int w, int kernel, int stride, int pad) {
        String shape = "n " + n + " c " + c + " k " + k + " " + h + "x" + w + " kernel " + kernel + " stride " + stride
                + " pad " + pad;
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, c, h, w);
        INDArray weights = Nd4j.randn(DataType.DOUBLE, k, c, kernel, kernel).muli(0.1);
        INDArray bias = Nd4j.randn(DataType.DOUBLE, k);
        int oh = (h + 2 * pad - kernel) / stride + 1;
        int ow = (w + 2 * pad - kernel) / stride + 1;
        INDArray z = Nd4j.create(DataType.DOUBLE, n, k, oh, ow);
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, weights, bias).addOutputs(z)
                .addIntegerArguments(kernel, kernel, stride, stride, pad, pad, 1, 1, 0, 0, 1).build());

        // weights and bias as views of a flat fp32 parameter vector, as the executor's layers hold them
        long lw = weights.length();
        INDArray flat = Nd4j.create(DataType.FLOAT, 5 + lw + k);
        INDArray w32 = flat.get(NDArrayIndex.interval(5, 5 + lw)).reshape('c', weights.shape()).assign(weights);
        INDArray b32 = flat.get(NDArrayIndex.interval(5 + lw, 5 + lw + k)).assign(bias);
        LoweredConvolution lowered = new LoweredConvolution(new int[] {kernel, kernel}, new int[] {stride, stride},
                new int[] {pad, pad});
        INDArray z32 = lowered.forward(x.castTo(DataType.FLOAT), w32, b32, false);
        assertArrayEquals(z.shape(), z32.shape(), shape + ": output shape");
        double scale = z.amaxNumber().doubleValue();
        double worst = z.sub(z32.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        // fp32 rounding of sums of up to a few hundred terms, relative to the largest value
        assertTrue(worst <= 2e-5 * scale, shape + ": largest difference " + worst + " against a largest value of " + scale);
        // with the ReLU applied block by block: exactly ND4J's relu of the pre-activation
        INDArray activated = lowered.forward(x.castTo(DataType.FLOAT), w32, b32, true);
        assertEquals(Transforms.relu(z32, true), activated, shape + ": output with the ReLU fused");
        assertTrue(activated.minNumber().doubleValue() >= 0 && z32.minNumber().doubleValue() < 0,
                shape + ": the fused ReLU zeroed the negative outputs");
    }
}
