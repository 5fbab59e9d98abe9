package org.alexnet.model.columns;

import org.alexnet.model.layers.NativeKernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.LoggerFactory;

/**
 * A 3x3 or 5x5 stride-1 convolution (the paper's conv2 to conv5) by Winograd's minimal filtering
 * (Lavin and Gray, 2016): 3x3 kernels as F(4x4, 3x3) by default, each 4x4 block of outputs for 36
 * multiplications per input channel instead of 144 (F(2x2, 3x3): each 2x2 block 16 instead of
 * 36); 5x5 kernels as F(2x2, 5x5), each 2x2 block 36 instead of 100. The multiplications are 36
 * (16) matrix products (oneDNN's sgemm) between the transformed filters and the transformed 6x6
 * (4x4) input patches, with the transforms in C (alexnet_winograd4.c, alexnet_winograd.c,
 * alexnet_winograd25.c).
 * The backward pass is the same algebra: the input gradient is the convolution of the output
 * gradient with the filters rotated by 180 degrees, the weight gradient the adjoint of the
 * forward products. The same sums as the direct convolution in another order: the results agree
 * with libnd4j's conv2d / conv2d_bp to fp32 rounding (WinogradConvolutionTest).
 *
 * <p>On 13x13 maps (the paper's) a layer's products cost 0.38 of the direct convolution's
 * arithmetic with 4x4 tiles (16 tiles cover 16x16), 0.52 with 2x2 tiles (49 cover 14x14);
 * {@code -Dalexnet.winograd.tile=2} takes the smaller tiles, whose transforms have smaller
 * coefficients and so round closer to the direct convolution (both within the tests' fp32
 * tolerances). On conv2's 27x27 maps F(2x2, 5x5) costs 0.39 of the direct arithmetic (196 tiles), for
 * ~300 MB more of the step's workspace per column (the transformed inputs and products of 32
 * images; the process's peak resident memory went from 2.7 to 3.3 GB in
 * {@code bench train-step}); {@code -Dalexnet.winograd.five=false} keeps libnd4j's conv2d there.
 * One instance per layer and column thread: it keeps the forward input's transform for the weight
 * gradient. fp32 on the CPU backend with the native kernels and oneDNN's library loaded;
 * elsewhere the caller keeps libnd4j's convolution.
 */
final class WinogradConvolution {
    /** Set to true to compute every convolution with libnd4j's conv2d / conv2d_bp, to compare the two. */
    static final String DISABLE_PROPERTY = "alexnet.winograd.disable";
    /** The side of a tile of outputs: 4 (F(4x4, 3x3), the default) or 2 (F(2x2, 3x3)). */
    static final String TILE_PROPERTY = "alexnet.winograd.tile";
    private static final boolean ENABLED = enabled();
    private static final int DEFAULT_TILE = Integer.getInteger(TILE_PROPERTY, 4);
    /** Set to false to compute 5x5 convolutions (conv2) with libnd4j's direct convolution. */
    static final String FIVE_PROPERTY = "alexnet.winograd.five";
    private static final boolean FIVE = Boolean.parseBoolean(System.getProperty(FIVE_PROPERTY, "true"));

    private final NativeKernels.Winograd variant;
    private final int tile;
    private final int kernel;
    private final int points;

    private final int pad;
    private Points inputTransform;
    private long[] inputShape;
    private int tilesH;
    private int tilesW;

    /**
     * For a layer with this kernel side (3 or 5) and padding, stride and dilation 1 (see
     * {@link #applies}): F(4x4, 3x3) (or F(2x2, 3x3) when {@code alexnet.winograd.tile=2}) or
     * F(2x2, 5x5).
     */
    WinogradConvolution(int kernel, int pad) {
        this(pad, kernel == 5 ? NativeKernels.Winograd.F2X2_5X5
                : DEFAULT_TILE == 2 ? NativeKernels.Winograd.F2X2_3X3 : NativeKernels.Winograd.F4X4_3X3);
    }

    /** With this algorithm. */
    WinogradConvolution(int pad, NativeKernels.Winograd variant) {
        this.pad = pad;
        this.variant = variant;
        this.tile = variant.tile();
        this.kernel = variant.kernel();
        this.points = variant.points();
    }

    /** Whether a convolution of this geometry can be computed this way: 3x3 or 5x5, stride and dilation 1. */
    static boolean applies(int[] kernel, int[] stride, int[] padding, int[] dilation) {
        return kernel[0] == kernel[1] && (kernel[0] == 3 || kernel[0] == 5 && FIVE) && stride[0] == 1
                && stride[1] == 1 && dilation[0] == 1 && dilation[1] == 1 && padding[0] == padding[1]
                && padding[0] >= 0 && padding[0] <= kernel[0] - 1;
    }

    /** Whether this input can take this path on this machine (maps of at most 4096 tiles, the transforms' limit). */
    boolean usable(INDArray x) {
        return ENABLED && NativeKernels.usableForWinograd(x) && OneDnnGemm.available()
                && fits(x.size(2) + 2L * pad - (kernel - 1), x.size(3) + 2L * pad - (kernel - 1))
                && fits(x.size(2), x.size(3));
    }

    /** Whether the transforms take an h x w map of outputs (the forward pass's, or the input gradient's). */
    private boolean fits(long h, long w) {
        long tilesW = tiles(w);
        return h > 0 && w > 0 && tilesW <= NativeKernels.WINOGRAD_MAX_TILES_W
                && tiles(h) * tilesW <= NativeKernels.WINOGRAD_MAX_TILES;
    }

    /** Tiles along a side of {@code outputs} outputs. */
    private int tiles(long outputs) {
        return (int) ((outputs + tile - 1) / tile);
    }

    /** The pre-activation output z [n, k, oh, ow] of x [n, c, h, w], weights w [k, c, 3, 3] and bias [k]. */
    INDArray forward(INDArray x, INDArray w, INDArray bias) {
        long n = x.size(0);
        long c = x.size(1);
        long k = w.size(0);
        int oh = (int) x.size(2) + 2 * pad - (kernel - 1);
        int ow = (int) x.size(3) + 2 * pad - (kernel - 1);
        tilesH = tiles(oh);
        tilesW = tiles(ow);
        long tiles = n * tilesH * tilesW;
        inputShape = x.shape();
        inputTransform = points(c, tiles);
        NativeKernels.winogradInput(variant, x, inputTransform.data, pad, tilesH, tilesW, inputTransform.plane);
        Points filters = points(k, c);
        NativeKernels.winogradFilter(variant, w, filters.data, false, filters.plane);
        Points products = points(k, tiles);
        products.multiply(filters, inputTransform, false);
        INDArray z = Nd4j.createUninitialized(DataType.FLOAT, n, k, oh, ow);
        NativeKernels.winogradOutput(variant, products.data, z, bias, tilesH, tilesW, products.plane);
        return z;
    }

    /**
     * From the gradient dz of the last {@link #forward}'s output: fills gradWeights [k, c, 3, 3]
     * and gradBias with the gradients summed over the minibatch and returns the input gradient.
     */
    INDArray backward(INDArray dz, INDArray w, INDArray gradWeights, INDArray gradBias) {
        if (inputTransform == null) {
            throw new IllegalStateException("Winograd convolution: backward without a forward pass");
        }
        long n = inputShape[0];
        long c = inputShape[1];
        long k = w.size(0);
        long tiles = n * tilesH * tilesW;
        // weight gradient: dU = (A dZ A^T) V^T per point, dW = G^T dU G
        Points dm = points(k, tiles);
        INDArray db = Nd4j.createUninitialized(DataType.FLOAT, k);
        NativeKernels.winogradOutputAdjoint(variant, dz, dm.data, db, tilesH, tilesW, dm.plane);
        Points du = points(k, c);
        du.multiply(dm, inputTransform, true);
        INDArray dw = Nd4j.createUninitialized(DataType.FLOAT, k, c, kernel, kernel);
        NativeKernels.winogradFilterAdjoint(variant, du.data, dw, du.plane);
        gradWeights.assign(dw.reshape(gradWeights.shape()));
        gradBias.assign(db.reshape(gradBias.shape()));
        // input gradient: dz, padded by kernel - 1 - pad, convolved with the rotated filters (k and c swapped)
        int backH = tiles(inputShape[2]);
        int backW = tiles(inputShape[3]);
        long backTiles = n * backH * backW;
        Points gradientTransform = points(k, backTiles);
        NativeKernels.winogradInput(variant, dz, gradientTransform.data, kernel - 1 - pad, backH, backW,
                gradientTransform.plane);
        Points rotated = points(c, k);
        NativeKernels.winogradFilter(variant, w, rotated.data, true, rotated.plane);
        Points products = points(c, backTiles);
        products.multiply(rotated, gradientTransform, false);
        INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, inputShape);
        NativeKernels.winogradOutput(variant, products.data, dx, null, backH, backW, products.plane);
        inputTransform = null;
        return dx;
    }

    /** Drops the kept input transform (the step is over). */
    void clear() {
        inputTransform = null;
    }

    /** A tile's points' matrices [rows, columns]. */
    private Points points(long rows, long columns) {
        long lines = (rows * columns + 15) / 16;
        long plane = 16 * (lines % 2 == 0 ? lines + 1 : lines);
        return new Points(Nd4j.createUninitialized(DataType.FLOAT, points * plane), points, rows, columns, plane);
    }

    /**
     * One row-major matrix [rows, columns] per point of the transform in one array, {@code plane}
     * floats apart: a little more than a matrix, an odd number of 64-byte lines, so that the
     * transforms, which touch all points at once, do not find them all in the same cache sets
     * (matrices whose size is a multiple of 4 KB would be).
     */
    private record Points(INDArray data, int count, long rows, long columns, long plane) {
        /** Per point: this = a b^T when bTransposed, else a b. */
        void multiply(Points a, Points b, boolean bTransposed) {
            for (int p = 0; p < count; p++) {
                OneDnnGemm.rowMajor(false, bTransposed, rows, columns, a.columns, a.data, p * a.plane, a.columns,
                        b.data, p * b.plane, b.columns, data, p * plane, columns);
            }
        }
    }

    private static boolean enabled() {
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            LoggerFactory.getLogger(WinogradConvolution.class).warn("the 3x3 convolutions run as libnd4j's direct "
                    + "convolution (slower): disabled by -D{}=true", DISABLE_PROPERTY);
            return false;
        }
        return true;
    }
}
