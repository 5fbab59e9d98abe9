package org.alexnet.model.columns;

import org.alexnet.model.layers.NativeKernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.LoggerFactory;

/**
 * A 3x3 stride-1 convolution (the paper's conv3, conv4 and conv5) by Winograd's minimal
 * filtering F(2x2, 3x3) (Lavin and Gray, 2016): each 2x2 block of outputs costs 16 multiplications
 * per input channel instead of 36, as 16 matrix products (oneDNN's sgemm) between the transformed
 * filters and the transformed 4x4 input patches, with the transforms in C (alexnet_winograd.c).
 * The backward pass is the same algebra: the input gradient is the convolution of the output
 * gradient with the filters rotated by 180 degrees, the weight gradient the adjoint of the
 * forward products. The same sums as the direct convolution in another order: the results agree
 * with libnd4j's conv2d / conv2d_bp to fp32 rounding (WinogradConvolutionTest).
 *
 * <p>On 13x13 maps (the paper's) a layer's forward product costs 0.55 of the direct one (49 tiles
 * of 2x2 cover 14x14), its backward 0.55 too. One instance per layer and column thread: it keeps
 * the forward input's transform for the weight gradient. fp32 on the CPU backend with the native
 * kernels and oneDNN's library loaded; elsewhere the caller keeps libnd4j's convolution.
 */
final class WinogradConvolution {
    /** Set to true to compute every convolution with libnd4j's conv2d / conv2d_bp, to compare the two. */
    static final String DISABLE_PROPERTY = "alexnet.winograd.disable";
    private static final boolean ENABLED = enabled();
    private static final int POINTS = 16; // 4x4 transformed values per tile

    private final int pad;
    private Points inputTransform;
    private long[] inputShape;
    private int tilesH;
    private int tilesW;

    /** For a layer with this padding (the kernel is 3x3 with stride and dilation 1, see {@link #applies}). */
    WinogradConvolution(int pad) {
        this.pad = pad;
    }

    /** Whether a convolution of this geometry can be computed this way. */
    static boolean applies(int[] kernel, int[] stride, int[] padding, int[] dilation) {
        return kernel[0] == 3 && kernel[1] == 3 && stride[0] == 1 && stride[1] == 1 && dilation[0] == 1
                && dilation[1] == 1 && padding[0] == padding[1] && padding[0] >= 0 && padding[0] <= 2;
    }

    /** Whether this input can take this path on this machine (maps of at most 4096 tiles, the transforms' limit). */
    boolean usable(INDArray x) {
        return ENABLED && NativeKernels.usableForWinograd(x) && OneDnnGemm.available()
                && fits(x.size(2) + 2L * pad - 2, x.size(3) + 2L * pad - 2) && fits(x.size(2), x.size(3));
    }

    /** Whether the transforms take an h x w map of outputs (the forward pass's, or the input gradient's). */
    private static boolean fits(long h, long w) {
        long tilesW = (w + 1) / 2;
        return h > 0 && w > 0 && tilesW <= NativeKernels.WINOGRAD_MAX_TILES_W
                && (h + 1) / 2 * tilesW <= NativeKernels.WINOGRAD_MAX_TILES;
    }

    /** The pre-activation output z [n, k, oh, ow] of x [n, c, h, w], weights w [k, c, 3, 3] and bias [k]. */
    INDArray forward(INDArray x, INDArray w, INDArray bias) {
        long n = x.size(0);
        long c = x.size(1);
        long k = w.size(0);
        int oh = (int) x.size(2) + 2 * pad - 2;
        int ow = (int) x.size(3) + 2 * pad - 2;
        tilesH = (oh + 1) / 2;
        tilesW = (ow + 1) / 2;
        long tiles = n * tilesH * tilesW;
        inputShape = x.shape();
        inputTransform = Points.of(c, tiles);
        NativeKernels.winogradInput(x, inputTransform.data, pad, tilesH, tilesW, inputTransform.plane);
        Points filters = Points.of(k, c);
        NativeKernels.winogradFilter(w, filters.data, false, filters.plane);
        Points products = Points.of(k, tiles);
        products.multiply(filters, inputTransform, false);
        INDArray z = Nd4j.createUninitialized(DataType.FLOAT, n, k, oh, ow);
        NativeKernels.winogradOutput(products.data, z, bias, tilesH, tilesW, products.plane);
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
        Points dm = Points.of(k, tiles);
        INDArray db = Nd4j.createUninitialized(DataType.FLOAT, k);
        NativeKernels.winogradOutputAdjoint(dz, dm.data, db, tilesH, tilesW, dm.plane);
        Points du = Points.of(k, c);
        du.multiply(dm, inputTransform, true);
        INDArray dw = Nd4j.createUninitialized(DataType.FLOAT, k, c, 3, 3);
        NativeKernels.winogradFilterAdjoint(du.data, dw, du.plane);
        gradWeights.assign(dw.reshape(gradWeights.shape()));
        gradBias.assign(db.reshape(gradBias.shape()));
        // input gradient: dz, padded by 2 - pad, convolved with the rotated filters (k and c swapped)
        int backH = ((int) inputShape[2] + 1) / 2;
        int backW = ((int) inputShape[3] + 1) / 2;
        long backTiles = n * backH * backW;
        Points gradientTransform = Points.of(k, backTiles);
        NativeKernels.winogradInput(dz, gradientTransform.data, 2 - pad, backH, backW, gradientTransform.plane);
        Points rotated = Points.of(c, k);
        NativeKernels.winogradFilter(w, rotated.data, true, rotated.plane);
        Points products = Points.of(c, backTiles);
        products.multiply(rotated, gradientTransform, false);
        INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, inputShape);
        NativeKernels.winogradOutput(products.data, dx, null, backH, backW, products.plane);
        inputTransform = null;
        return dx;
    }

    /** Drops the kept input transform (the step is over). */
    void clear() {
        inputTransform = null;
    }

    /**
     * 16 row-major matrices [rows, columns] (one per point of the 4x4 transform) in one array,
     * {@code plane} floats apart: a little more than a matrix, an odd number of 64-byte lines, so
     * that the transforms, which touch all 16 at once, do not find them all in the same cache sets
     * (matrices whose size is a multiple of 4 KB would be).
     */
    private record Points(INDArray data, long rows, long columns, long plane) {
        static Points of(long rows, long columns) {
            long lines = (rows * columns + 15) / 16;
            long plane = 16 * (lines % 2 == 0 ? lines + 1 : lines);
            return new Points(Nd4j.createUninitialized(DataType.FLOAT, POINTS * plane), rows, columns, plane);
        }

        /** Per point: this = a b^T when bTransposed, else a b. */
        void multiply(Points a, Points b, boolean bTransposed) {
            for (int p = 0; p < POINTS; p++) {
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
