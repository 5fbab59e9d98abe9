package org.alexnet.model.columns;

import org.alexnet.model.layers.NativeKernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.LoggerFactory;

/**
 * The first convolution's forward pass (the paper's conv1: 3 channels, 11x11, stride 4) as
 * matrix products over blocks of a few output rows: each block of the input is lowered (im2col,
 * alexnet_im2col.c) into a buffer that stays in the core's cache and multiplied there (oneDNN's
 * sgemm), output block = W [k, c*kh*kw] x block. libnd4j's conv2d lowers whole images first
 * (oneDNN's gemm convolution, 4.4 MB an image for conv1) and writes them out and reads them back
 * (docs/performance.md). The same sums as the direct convolution in another order: the output
 * agrees with conv2d to fp32 rounding (LoweredConvolutionTest). The weight gradient stays with
 * oneDNN's backward-weights primitive ({@link OneDnnWeightGradient}), which was faster than
 * products over lowered blocks (52 against 58 ms for conv1).
 *
 * <p>fp32 on the CPU backend with the native kernels and oneDNN's library loaded; elsewhere the
 * caller keeps libnd4j's conv2d.
 */
final class LoweredConvolution {
    /** Set to true to compute conv1 with libnd4j's conv2d and oneDNN's backward-weights primitive, to compare. */
    static final String DISABLE_PROPERTY = "alexnet.lowered-conv.disable";
    private static final boolean ENABLED = enabled();
    /**
     * The size of a lowered block: about half a core's L2 cache (conv1: 4 output rows, 311 KB);
     * from 2 to 16 rows the products took 38-41 ms for the paper's 32 images, the lowering 8-14.
     */
    private static final long BLOCK_BYTES = 256 * 1024;

    /** Room after each lowered row, which lets the lowering copy whole vectors of 8 floats (alexnet_im2col.c). */
    private static final int SLACK = 8;

    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;

    /** For a layer with this kernel, stride and padding, [height, width] each (dilation 1). */
    LoweredConvolution(int[] kernel, int[] stride, int[] padding) {
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
    }

    /** Whether a convolution of this geometry can be computed this way. */
    static boolean applies(int[] dilation) {
        return dilation[0] == 1 && dilation[1] == 1;
    }

    /** Whether this input can take this path on this machine. */
    static boolean usable(INDArray x) {
        return ENABLED && NativeKernels.usableForWinograd(x) && OneDnnGemm.available();
    }

    /**
     * The output z [n, k, oh, ow] of x [n, c, h, w], weights w [k, c, kh, kw] and bias [k]: the
     * pre-activation, or with ReLU applied when {@code relu} (each block while it is in the cache).
     */
    INDArray forward(INDArray input, INDArray w, INDArray bias, boolean relu) {
        INDArray x = NativeKernels.dense(input);
        Geometry g = geometry(x, w.size(0));
        INDArray weights = w.reshape('c', g.k, g.taps);
        // a dense copy of the bias once (a view of the parameters would be copied for every block)
        INDArray b = Nd4j.createUninitialized(DataType.FLOAT, g.k).assign(bias.reshape(g.k));
        INDArray z = Nd4j.createUninitialized(DataType.FLOAT, g.n, g.k, g.oh, g.ow);
        int rows = g.blockRows(BLOCK_BYTES);
        INDArray block = g.block(rows);
        long plane = (long) g.oh * g.ow;
        for (long image = 0; image < g.n; image++) {
            for (int oh0 = 0; oh0 < g.oh; oh0 += rows) {
                int oh1 = Math.min(g.oh, oh0 + rows);
                long width = (long) (oh1 - oh0) * g.ow;
                NativeKernels.lowerRows(x, image, block, width + SLACK, kernel, stride, padding, oh0, oh1, g.ow);
                long at = image * g.k * plane + (long) oh0 * g.ow;
                OneDnnGemm.rowMajor(false, false, g.k, width, g.taps, weights, 0, g.taps, block, 0, width + SLACK, z, at,
                        plane);
                NativeKernels.addRowBias(z, at, b, g.k, width, plane, relu);
            }
        }
        return z;
    }

    private Geometry geometry(INDArray x, long k) {
        long c = x.size(1);
        int oh = (int) ((x.size(2) + 2L * padding[0] - kernel[0]) / stride[0] + 1);
        int ow = (int) ((x.size(3) + 2L * padding[1] - kernel[1]) / stride[1] + 1);
        return new Geometry(x.size(0), k, c * kernel[0] * kernel[1], oh, ow);
    }

    /** n images, k filters, taps = c * kh * kw inputs per output, oh x ow outputs. */
    private record Geometry(long n, long k, long taps, int oh, int ow) {
        /** Output rows per block: as many as fit in {@code bytes} lowered, at least one. */
        int blockRows(long bytes) {
            return (int) Math.max(1, Math.min(oh, bytes / (4L * taps * ow)));
        }

        /** A lowered block of {@code rows} output rows, each tap's row {@link #SLACK} floats longer. */
        INDArray block(int rows) {
            return Nd4j.createUninitialized(DataType.FLOAT, taps * ((long) rows * ow + SLACK));
        }
    }

    private static boolean enabled() {
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            LoggerFactory.getLogger(LoweredConvolution.class).warn("conv1 runs as libnd4j's conv2d and oneDNN's "
                    + "backward-weights primitive (slower): disabled by -D{}=true", DISABLE_PROPERTY);
            return false;
        }
        return true;
    }
}
