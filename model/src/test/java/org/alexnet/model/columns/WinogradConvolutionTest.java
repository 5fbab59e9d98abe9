package org.alexnet.model.columns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alexnet.model.layers.NativeKernels;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The Winograd F(2x2, 3x3), F(4x4, 3x3) and F(2x2, 5x5) convolutions give libnd4j's conv2d output and conv2d_bp's input,
 * weight and bias gradients (computed in fp64, the reference) to fp32 rounding: for the paper's
 * 13x13 maps with padding 1, odd and even map sizes (partial tiles at the edges), paddings 0 and
 * 2, non-square maps, and gradients written into views of a flat vector as the executor does.
 */
class WinogradConvolutionTest {
    /** The 3x3 algorithms: F(2x2, 3x3) and F(4x4, 3x3). */
    private static final NativeKernels.Winograd[] THREE = {NativeKernels.Winograd.F2X2_3X3,
        NativeKernels.Winograd.F4X4_3X3};

    @Test
    void thePapersGeometryMatchesTheDirectConvolution() {
        for (NativeKernels.Winograd variant : THREE) {
            check(variant, 4, 24, 16, 13, 13, 1);
        }
        check(NativeKernels.Winograd.F2X2_5X5, 3, 12, 16, 27, 27, 2); // conv2's geometry
    }

    @Test
    void partialTilesAndOtherPaddingsMatchTheDirectConvolution() {
        for (NativeKernels.Winograd variant : THREE) {
            check(variant, 2, 5, 7, 8, 11, 1);
            check(variant, 3, 6, 4, 9, 6, 0);
            check(variant, 1, 3, 5, 7, 10, 2);
            check(variant, 2, 4, 3, 16, 5, 1);
        }
        NativeKernels.Winograd five = NativeKernels.Winograd.F2X2_5X5;
        check(five, 2, 5, 7, 8, 11, 2);
        check(five, 3, 6, 4, 9, 6, 0);
        check(five, 1, 3, 5, 7, 10, 4);
        check(five, 2, 4, 3, 16, 5, 1);
    }

    @Test
    void mapsBeyondTheTransformsLimitKeepTheDirectConvolution() {
        assertTrue(new WinogradConvolution(1, NativeKernels.Winograd.F2X2_3X3).usable(Nd4j.create(DataType.FLOAT, 1, 1, 120, 120)),
                "60 x 60 = 3600 tiles of 2x2: within the limit of 4096");
        assertFalse(new WinogradConvolution(1, NativeKernels.Winograd.F2X2_3X3).usable(Nd4j.create(DataType.FLOAT, 1, 1, 200, 200)),
                "100 x 100 = 10,000 tiles of 2x2: beyond it, so the layer keeps libnd4j's convolution");
        assertTrue(new WinogradConvolution(1, NativeKernels.Winograd.F4X4_3X3).usable(Nd4j.create(DataType.FLOAT, 1, 1, 200, 200)),
                "50 x 50 = 2500 tiles of 4x4: within it");
        assertFalse(new WinogradConvolution(3, 1).usable(Nd4j.create(DataType.DOUBLE, 1, 1, 13, 13)),
                "fp64 keeps libnd4j's convolution");
    }

    private static void check(NativeKernels.Winograd variant, int n, int c, int k, int h, int w, int pad) {
        int r = variant.kernel();
        assertTrue(new WinogradConvolution(pad, variant).usable(Nd4j.create(DataType.FLOAT, n, c, h, w)),
                "the native kernels and oneDNN's library load on the CPU backend, as the build ships them");
        String shape = variant + ", n " + n + " c " + c + " k " + k + " " + h + "x" + w + " pad " + pad;
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, c, h, w);
        INDArray weights = Nd4j.randn(DataType.DOUBLE, k, c, r, r).muli(0.1);
        INDArray bias = Nd4j.randn(DataType.DOUBLE, k);
        int oh = h + 2 * pad - (r - 1);
        int ow = w + 2 * pad - (r - 1);
        INDArray dz = Nd4j.randn(DataType.DOUBLE, n, k, oh, ow);
        int[] args = {r, r, 1, 1, pad, pad, 1, 1, 0, 0, 1};
        INDArray z = Nd4j.create(DataType.DOUBLE, n, k, oh, ow);
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, weights, bias).addOutputs(z)
                .addIntegerArguments(args).build());
        INDArray dx = x.ulike();
        INDArray dw = weights.ulike();
        INDArray db = bias.ulike();
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, weights, bias, dz).addOutputs(dx, dw, db)
                .addIntegerArguments(args).build());

        WinogradConvolution winograd = new WinogradConvolution(pad, variant);
        INDArray weights32 = weights.castTo(DataType.FLOAT);
        INDArray z32 = winograd.forward(x.castTo(DataType.FLOAT), weights32, bias.castTo(DataType.FLOAT));
        assertArrayEquals(z.shape(), z32.shape(), shape + ": output shape");
        assertClose(z, z32, shape + ": output");
        long lw = weights.length();
        INDArray flat = Nd4j.valueArrayOf(new long[] {3 + lw + k + 3}, 123f, DataType.FLOAT);
        INDArray gradW = flat.get(NDArrayIndex.interval(3, 3 + lw)).reshape('c', weights.shape());
        INDArray gradB = flat.get(NDArrayIndex.interval(3 + lw, 3 + lw + k));
        INDArray dx32 = winograd.backward(dz.castTo(DataType.FLOAT), weights32, gradW, gradB);
        assertArrayEquals(x.shape(), dx32.shape(), shape + ": input gradient shape");
        assertClose(dx, dx32, shape + ": input gradient");
        assertClose(dw, gradW, shape + ": weight gradient");
        assertClose(db, gradB, shape + ": bias gradient");
        assertTrue(flat.getDouble(2) == 123 && flat.getDouble(3 + lw + k) == 123, "nothing written outside the views");
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        INDArray e = expected.castTo(DataType.DOUBLE).reshape(expected.length());
        INDArray a = actual.castTo(DataType.DOUBLE).reshape(actual.length());
        double scale = e.amaxNumber().doubleValue();
        double worst = e.sub(a).amaxNumber().doubleValue();
        // fp32 rounding of sums of up to a few hundred terms, relative to the largest value
        assertTrue(worst <= 2e-5 * scale, what + ": largest difference " + worst + " against a largest value of " + scale);
    }
}
