package org.alexnet.model.layers;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;
import org.alexnet.model.Backend;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fused C loops (alexnet_kernels.c, built by Maven into the jar) for fp32 arrays in host memory,
 * where a chain of full-array ND4J operations costs several passes over memory: {@link LrnMath}'s
 * formulas (~20x faster than its ~15 ND4J operations, which made LRN the most expensive layer of
 * a CPU step) and the momentum update of ParamUpdate (one pass instead of eight). Used on the CPU
 * backend when the library loads; everything else (double precision, CUDA) takes the ND4J path,
 * which computes the same formulas. When the library is not there (a build without gcc, another
 * OS or architecture, {@code -Dalexnet.native-kernels.disable=true}) everything takes that path,
 * and a warning saying why is logged once per JVM.
 */
public final class NativeKernels {
    /** Set to true to run the ND4J path although the library is there (as NativeJpeg's alexnet.native-jpeg.disable). */
    static final String DISABLE_PROPERTY = "alexnet.native-kernels.disable";
    private static final Logger LOG = LoggerFactory.getLogger(NativeKernels.class);
    private static final String UNAVAILABLE = load();
    /** Set to true to apply the convolutions' ReLU with ND4J's operations, to compare the two. */
    static final String RELU_DISABLE_PROPERTY = "alexnet.native-relu.disable";
    private static final boolean RELU = !Boolean.getBoolean(RELU_DISABLE_PROPERTY);

    private NativeKernels() {
    }

    /**
     * Whether the fused momentum update can run on these flat (rank-1 view of the whole vector,
     * offset 0) fp32 parameter, gradient and state vectors.
     */
    public static boolean usableForUpdate(INDArray params, INDArray gradients, INDArray state) {
        if (UNAVAILABLE != null || !Backend.isCpu()) {
            return false;
        }
        for (INDArray a : new INDArray[] {params, gradients, state}) {
            if (a.dataType() != DataType.FLOAT || a.offset() != 0 || a.elementWiseStride() != 1
                    || a.data().length() < a.length()) {
                return false;
            }
        }
        return true;
    }

    /**
     * One parameter array's step, fused: g = g / batch + decay * w; v = momentum * v - lr * g;
     * w = w + v; g = -v (what DL4J leaves in the gradient view). Arrays as in {@link #usableForUpdate}.
     */
    public static void momentumStep(INDArray params, INDArray gradients, INDArray state, long offset, long length,
                                    int batch, double decay, double momentum, double lr) {
        if (offset < 0 || length < 0 || offset + length > params.length()) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", " + (offset + length) + ") of " + params.length());
        }
        momentumStep0(address(params), address(gradients), address(state), offset, length, batch, (float) decay,
                (float) momentum, (float) lr);
        Reference.reachabilityFence(params);
        Reference.reachabilityFence(gradients);
        Reference.reachabilityFence(state);
    }

    /**
     * Binds the calling thread (and the OpenMP threads it starts later) to share {@code part} of
     * {@code parts} of the CPUs this process may use; false when the library is not there or the
     * affinity cannot be set (nothing changed then).
     */
    public static boolean bindToShare(int part, int parts) {
        return UNAVAILABLE == null && bindToShare0(part, parts) > 0;
    }

    /** Max pooling's output and, per output, the flat index within its plane of the input that won. */
    public record MaxPool(INDArray output, INDArray argmax) {
    }

    /**
     * Max pooling of an fp32 NCHW array without padding or dilation (one pass, ~20x faster than
     * libnd4j's maxpool2d through oneDNN's plain-NCHW kernel on AVX2); null when the library is
     * not there, the backend is not the CPU's or x is not fp32 (the caller keeps libnd4j's op).
     */
    public static MaxPool maxPoolForward(INDArray x, int kh, int kw, int sh, int sw) {
        if (!usable(x)) {
            return null;
        }
        INDArray in = dense(x);
        long n = in.size(0);
        long c = in.size(1);
        int h = (int) in.size(2);
        int w = (int) in.size(3);
        int oh = (h - kh) / sh + 1;
        int ow = (w - kw) / sw + 1;
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, n, c, oh, ow);
        INDArray argmax = Nd4j.createUninitialized(DataType.INT, n, c, oh, ow);
        maxPoolForward0(address(in), address(y), address(argmax), n * c, h, w, oh, ow, kh, kw, sh, sw);
        Reference.reachabilityFence(in);
        return new MaxPool(y, argmax);
    }

    /** The input gradient of {@link #maxPoolForward}: each output's gradient added to the input that won. */
    public static INDArray maxPoolBackward(MaxPool forward, INDArray gradOutput, long[] inputShape) {
        INDArray g = dense(gradOutput);
        INDArray gx = Nd4j.createUninitialized(DataType.FLOAT, inputShape);
        long planes = inputShape[0] * inputShape[1];
        maxPoolBackward0(address(g), address(forward.argmax()), address(gx), planes,
                (int) (inputShape[2] * inputShape[3]), (int) (g.length() / planes));
        Reference.reachabilityFence(g);
        Reference.reachabilityFence(forward);
        return gx;
    }

    /**
     * a + b as a new dense array, for fp32 arrays of the same shape whose slices along axis 0 are
     * each contiguous (as one channel range of every image of an NCHW array is); null when the
     * library is not there, the backend is not the CPU's or the arrays are not like that (the
     * caller adds them with ND4J then, ~10x slower on such views).
     */
    public static INDArray addSlices(INDArray a, INDArray b) {
        if (UNAVAILABLE != null || !Backend.isCpu() || !Arrays.equals(a.shape(), b.shape())
                || !contiguousSlices(a) || !contiguousSlices(b)) {
            return null;
        }
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, a.shape());
        long rows = a.size(0);
        long len = a.length() / Math.max(1, rows);
        addRows0(address(a), rows > 1 ? a.stride(0) : len, address(b), rows > 1 ? b.stride(0) : len, address(out),
                rows, len);
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
        return out;
    }

    /** fp32, rank at least 2, each slice along axis 0 laid out densely in row-major order. */
    private static boolean contiguousSlices(INDArray x) {
        if (x.dataType() != DataType.FLOAT || x.rank() < 2 || x.length() == 0) {
            return false;
        }
        long expected = 1;
        for (int d = x.rank() - 1; d >= 1; d--) {
            if (x.size(d) != 1 && x.stride(d) != expected) {
                return false;
            }
            expected *= x.size(d);
        }
        return x.size(0) == 1 || x.stride(0) >= expected;
    }

    /** The most tiles of 2x2 outputs in a row and in an image the Winograd transforms take (alexnet_winograd.c). */
    public static final int WINOGRAD_MAX_TILES_W = 1024;
    public static final int WINOGRAD_MAX_TILES = 4096;

    /**
     * Whether the Winograd F(2x2, 3x3) transforms (alexnet_winograd.c) can run on this fp32 NCHW
     * array: the library loaded on the CPU backend.
     */
    public static boolean usableForWinograd(INDArray x) {
        return usable(x);
    }

    /**
     * The input transform V = B^T d B of every 4x4 patch of x [n, c, h, w] (padded by {@code pad}
     * zeros) into v: 16 planes [c, n * tilesH * tilesW], {@code plane} floats apart (see
     * alexnet_winograd.c for the layouts).
     */
    public static void winogradInput(Winograd variant, INDArray x, INDArray v, int pad, int tilesH, int tilesW, long plane) {
        INDArray in = dense(x);
        requirePlanes(variant, v, plane, in.size(1) * in.size(0) * tilesH * tilesW);
        long xAt = address(in);
        long vAt = address(v);
        long n = in.size(0);
        long c = in.size(1);
        int h = (int) in.size(2);
        int w = (int) in.size(3);
        check(switch (variant) {
            case F2X2_3X3 -> winogradInput0(xAt, vAt, n, c, h, w, pad, tilesH, tilesW, plane);
            case F4X4_3X3 -> winograd4Input0(xAt, vAt, n, c, h, w, pad, tilesH, tilesW, plane);
            case F2X2_5X5 -> winograd25Input0(xAt, vAt, n, c, h, w, pad, tilesH, tilesW, plane);
        });
        Reference.reachabilityFence(in);
        Reference.reachabilityFence(v);
    }

    /** The output transform y = A^T M A (+ bias, when not null) of m's 16 planes [k, tiles] into y [n, k, oh, ow]. */
    public static void winogradOutput(Winograd variant, INDArray m, INDArray y, INDArray bias, int tilesH, int tilesW,
                                      long plane) {
        INDArray b = bias == null ? null : dense(bias);
        requireDense(y);
        requirePlanes(variant, m, plane, y.size(1) * y.size(0) * tilesH * tilesW);
        long bAt = b == null ? 0 : address(b);
        long mAt = address(m);
        long yAt = address(y);
        long n = y.size(0);
        long k = y.size(1);
        int oh = (int) y.size(2);
        int ow = (int) y.size(3);
        check(switch (variant) {
            case F2X2_3X3 -> winogradOutput0(mAt, yAt, bAt, n, k, oh, ow, tilesH, tilesW, plane);
            case F4X4_3X3 -> winograd4Output0(mAt, yAt, bAt, n, k, oh, ow, tilesH, tilesW, plane);
            case F2X2_5X5 -> winograd25Output0(mAt, yAt, bAt, n, k, oh, ow, tilesH, tilesW, plane);
        });
        Reference.reachabilityFence(m);
        Reference.reachabilityFence(y);
        Reference.reachabilityFence(b);
    }

    /**
     * The adjoint of the output transform, dM = A dY A^T, of dy [n, k, oh, ow] into dm's 16 planes
     * [k, tiles], and into dbias [k] (when not null) the sum of dy over images and positions.
     */
    public static void winogradOutputAdjoint(Winograd variant, INDArray dy, INDArray dm, INDArray dbias, int tilesH,
                                             int tilesW, long plane) {
        INDArray g = dense(dy);
        requirePlanes(variant, dm, plane, g.size(1) * g.size(0) * tilesH * tilesW);
        if (dbias != null && (requireDense(dbias).length() != g.size(1))) {
            throw new IllegalArgumentException("bias gradient: " + g.size(1) + " values expected");
        }
        long dbAt = dbias == null ? 0 : address(dbias);
        long gAt = address(g);
        long dmAt = address(dm);
        long n = g.size(0);
        long k = g.size(1);
        int oh = (int) g.size(2);
        int ow = (int) g.size(3);
        check(switch (variant) {
            case F2X2_3X3 -> winogradOutputAdjoint0(gAt, dmAt, dbAt, n, k, oh, ow, tilesH, tilesW, plane);
            case F4X4_3X3 -> winograd4OutputAdjoint0(gAt, dmAt, dbAt, n, k, oh, ow, tilesH, tilesW, plane);
            case F2X2_5X5 -> winograd25OutputAdjoint0(gAt, dmAt, dbAt, n, k, oh, ow, tilesH, tilesW, plane);
        });
        Reference.reachabilityFence(g);
        Reference.reachabilityFence(dm);
        Reference.reachabilityFence(dbias);
    }

    /**
     * The filter transform U = G g G^T of w [k, c, 3, 3] into u's 16 planes [k, c]; flipped, of
     * the filters rotated by 180 degrees into planes [c, k] (the input gradient's convolution).
     */
    public static void winogradFilter(Winograd variant, INDArray w, INDArray u, boolean flip, long plane) {
        INDArray in = dense(w);
        requirePlanes(variant, u, plane, in.size(0) * in.size(1));
        int flipped = flip ? 1 : 0;
        switch (variant) {
            case F2X2_3X3 -> winogradFilter0(address(in), address(u), in.size(0), in.size(1), flipped, plane);
            case F4X4_3X3 -> winograd4Filter0(address(in), address(u), in.size(0), in.size(1), flipped, plane);
            case F2X2_5X5 -> winograd25Filter0(address(in), address(u), in.size(0), in.size(1), flipped, plane);
            default -> throw new IllegalArgumentException(variant.name());
        }
        Reference.reachabilityFence(in);
        Reference.reachabilityFence(u);
    }

    /** The weight gradient dW = G^T dU G of du's 16 planes [k, c] into dw [k, c, 3, 3]. */
    public static void winogradFilterAdjoint(Winograd variant, INDArray du, INDArray dw, long plane) {
        requireDense(dw);
        requirePlanes(variant, du, plane, dw.size(0) * dw.size(1));
        switch (variant) {
            case F2X2_3X3 -> winogradFilterAdjoint0(address(du), address(dw), dw.size(0), dw.size(1), plane);
            case F4X4_3X3 -> winograd4FilterAdjoint0(address(du), address(dw), dw.size(0), dw.size(1), plane);
            case F2X2_5X5 -> winograd25FilterAdjoint0(address(du), address(dw), dw.size(0), dw.size(1), plane);
            default -> throw new IllegalArgumentException(variant.name());
        }
        Reference.reachabilityFence(du);
        Reference.reachabilityFence(dw);
    }

    /**
     * ReLU in place on a dense fp32 array (x < 0 ? 0 : x, NaN kept, as libnd4j's relu); false,
     * leaving y alone, when it cannot run here (the library missing, another backend, a view):
     * the caller applies the activation with ND4J then.
     */
    public static boolean reluForward(INDArray y) {
        if (!usableInPlace(y)) {
            return false;
        }
        reluForward0(address(y), y.length());
        Reference.reachabilityFence(y);
        return true;
    }

    /**
     * ReLU's backward pass from the layer's output, in place: out = out > 0 ? g : 0 (libnd4j's
     * relu_bp, whose test input > 0 is the same test on the output). Returns out, or null, leaving
     * both alone, when it cannot run here (as {@link #reluForward}, or g of another shape).
     */
    public static INDArray reluBackward(INDArray out, INDArray g) {
        if (!usableInPlace(out) || !Arrays.equals(out.shape(), g.shape()) || !isDense(g)) {
            return null;
        }
        reluBackward0(address(out), address(g), out.length());
        Reference.reachabilityFence(out);
        Reference.reachabilityFence(g);
        return out;
    }

    /** Whether the native ReLU runs (the library loaded on the CPU backend, not switched off), on dense arrays. */
    public static boolean reluAvailable() {
        return RELU && UNAVAILABLE == null && Backend.isCpu();
    }

    private static boolean usableInPlace(INDArray a) {
        return reluAvailable() && isDense(a);
    }

    /**
     * Output rows [oh0, oh1) of image {@code image} of x [n, c, h, w] lowered into col (im2col, see
     * alexnet_im2col.c): one row of ldcol floats per tap (channel, kernel row, kernel column), one
     * column per output position of those rows, zero where a tap falls into the padding.
     * kernel, stride and padding are [height, width]; ow is the output's width.
     */
    public static void lowerRows(INDArray x, long image, INDArray col, long ldcol, int[] kernel, int[] stride,
                                 int[] padding, int oh0, int oh1, int ow) {
        requireDense(x);
        requireDense(col);
        long taps = x.size(1) * kernel[0] * kernel[1];
        long width = (long) (oh1 - oh0) * ow;
        if (image < 0 || image >= x.size(0) || oh0 < 0 || oh1 <= oh0 || ldcol < width
                || col.length() < (taps - 1) * ldcol + width) {
            throw new IllegalArgumentException("lowering: " + taps + " rows of " + width + " floats, " + ldcol
                    + " apart, do not fit in " + col.length() + " (or image " + image + " / rows " + oh0 + ".." + oh1
                    + " out of range)");
        }
        long imageAt = address(x) + 4L * image * (x.length() / x.size(0));
        if (lowerRows0(imageAt, address(col), ldcol, (int) x.size(1), (int) x.size(2), (int) x.size(3), kernel[0],
                kernel[1], stride[0], stride[1], padding[0], padding[1], oh0, oh1, ow) != 0) {
            throw new OutOfMemoryError("lowering: no memory for one input row's phases");
        }
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(col);
    }

    /**
     * Rows r < k of len floats, ldz apart, starting {@code at} elements into z (dense): row r +=
     * bias[r], then, when {@code relu}, ReLU in place as {@link #reluForward} computes it.
     */
    public static void addRowBias(INDArray z, long at, INDArray bias, long k, long len, long ldz, boolean relu) {
        requireRows(z, at, k, len, ldz);
        INDArray b = requireLength(dense(bias), k);
        addRowBias0(address(z) + 4L * at, address(b), k, len, ldz, relu ? 1 : 0);
        Reference.reachabilityFence(z);
        Reference.reachabilityFence(b);
    }

    private static void requireRows(INDArray z, long at, long k, long len, long ldz) {
        requireDense(z);
        if (at < 0 || k < 1 || len < 0 || ldz < len || at + (k - 1) * ldz + len > z.length()) {
            throw new IllegalArgumentException(k + " rows of " + len + " floats, " + ldz + " apart from " + at
                    + ", do not fit in " + z.length());
        }
    }

    private static INDArray requireLength(INDArray a, long length) {
        if (a.length() < length) {
            throw new IllegalArgumentException(length + " values expected, not " + a.length());
        }
        return a;
    }

    /** The Winograd algorithms the transforms implement: F(tile x tile, kernel x kernel). */
    public enum Winograd {
        /** 2x2 outputs of a 3x3 kernel from 4x4 patches (alexnet_winograd.c). */
        F2X2_3X3(2, 3),
        /** 4x4 outputs of a 3x3 kernel from 6x6 patches (alexnet_winograd4.c). */
        F4X4_3X3(4, 3),
        /** 2x2 outputs of a 5x5 kernel from 6x6 patches (alexnet_winograd25.c). */
        F2X2_5X5(2, 5);

        private final int tile;
        private final int kernel;

        Winograd(int tile, int kernel) {
            this.tile = tile;
            this.kernel = kernel;
        }

        /** The side of a tile of outputs. */
        public int tile() {
            return tile;
        }

        /** The side of the kernel. */
        public int kernel() {
            return kernel;
        }

        /** The values of a transformed patch, (tile + kernel - 1)^2. */
        public int points() {
            return (tile + kernel - 1) * (tile + kernel - 1);
        }
    }

    /** The tile's points' planes of {@code size} floats, {@code plane} apart, in a dense fp32 array. */
    private static void requirePlanes(Winograd variant, INDArray a, long plane, long size) {
        requireDense(a);
        int points = variant.points();
        if (plane < size || a.length() < (points - 1) * plane + size) {
            throw new IllegalArgumentException(points + " planes of " + size + " floats, " + plane
                    + " apart, do not fit in " + a.length());
        }
    }

    private static INDArray requireDense(INDArray a) {
        if (dense(a) != a) {
            throw new IllegalArgumentException("a dense row-major fp32 array that owns its buffer expected");
        }
        return a;
    }

    private static void check(int status) {
        if (status == -2) {
            throw new OutOfMemoryError("Winograd transform: no memory for one padded plane");
        }
        if (status != 0) {
            throw new IllegalArgumentException("Winograd transform: more than " + WINOGRAD_MAX_TILES_W
                    + " tiles in a row or " + WINOGRAD_MAX_TILES + " in an image");
        }
    }

    /** Whether this input can take the native LRN path. */
    static boolean usable(INDArray x) {
        return UNAVAILABLE == null && x.dataType() == DataType.FLOAT && x.rank() == 4 && Backend.isCpu();
    }

    static LrnMath.Forward forward(INDArray x, double k, int n, double alpha, double beta) {
        INDArray in = dense(x);
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, in.shape());
        INDArray scale = Nd4j.createUninitialized(DataType.FLOAT, in.shape());
        INDArray den = Nd4j.createUninitialized(DataType.FLOAT, in.shape());
        forward0(address(in), address(y), address(scale), address(den), in.size(0), in.size(1),
                in.size(2) * in.size(3), (float) k, n / 2, (float) alpha, (float) beta);
        Reference.reachabilityFence(in);
        return new LrnMath.Forward(y, scale, den);
    }

    static INDArray backward(INDArray x, LrnMath.Forward f, INDArray g, int n, double alpha, double beta) {
        INDArray in = dense(x);
        INDArray grad = dense(g);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, in.shape());
        int status = backward0(address(in), address(f.output()), address(f.scale()), address(f.denominator()),
                address(grad), address(out), in.size(0), in.size(1), in.size(2) * in.size(3), n / 2,
                (float) alpha, (float) beta);
        Reference.reachabilityFence(in);
        Reference.reachabilityFence(grad);
        Reference.reachabilityFence(f);
        if (status != 0) {
            throw new OutOfMemoryError("native LRN backward: no memory for one image's scratch");
        }
        return out;
    }

    /** The array itself when it owns a dense row-major float buffer (as the kernels take), else such a copy. */
    public static INDArray dense(INDArray a) {
        return isDense(a) ? a : a.dup('c');
    }

    /** Whether the array owns a dense row-major float buffer. */
    private static boolean isDense(INDArray a) {
        return !a.isView() && a.offset() == 0 && a.ordering() == 'c' && rowMajorStrides(a)
                && a.data().dataType() == DataType.FLOAT && a.data().length() == a.length();
    }

    /** Row-major strides, those of dimensions of size 1 aside (ND4J gives them 1 as often as not). */
    private static boolean rowMajorStrides(INDArray a) {
        long expected = 1;
        for (int d = a.rank() - 1; d >= 0; d--) {
            if (a.size(d) != 1 && a.stride(d) != expected) {
                return false;
            }
            expected *= a.size(d);
        }
        return true;
    }

    private static long address(INDArray a) {
        return a.data().addressPointer().address();
    }

    private static native int winogradInput0(long x, long v, long n, long c, int h, int w, int pad, int th, int tw,
                                             long plane);

    private static native int winogradOutput0(long m, long y, long bias, long n, long k, int oh, int ow, int th,
                                              int tw, long plane);

    private static native int winogradOutputAdjoint0(long dy, long dm, long dbias, long n, long k, int oh, int ow,
                                                     int th, int tw, long plane);

    private static native void winogradFilter0(long w, long u, long k, long c, int flip, long plane);

    private static native void winogradFilterAdjoint0(long du, long dw, long k, long c, long plane);

    private static native int winograd4Input0(long x, long v, long n, long c, int h, int w, int pad, int th, int tw,
                                              long plane);

    private static native int winograd4Output0(long m, long y, long bias, long n, long k, int oh, int ow, int th,
                                               int tw, long plane);

    private static native int winograd4OutputAdjoint0(long dy, long dm, long dbias, long n, long k, int oh, int ow,
                                                      int th, int tw, long plane);

    private static native void winograd4Filter0(long w, long u, long k, long c, int flip, long plane);

    private static native void winograd4FilterAdjoint0(long du, long dw, long k, long c, long plane);

    private static native void reluForward0(long y, long n);

    private static native void reluBackward0(long out, long g, long n);

    private static native int lowerRows0(long x, long col, long ldcol, int c, int h, int w, int kh, int kw, int sh,
                                         int sw, int ph, int pw, int oh0, int oh1, int ow);

    private static native void addRowBias0(long z, long bias, long k, long len, long ldz, int relu);
    private static native int winograd25Input0(long x, long v, long n, long c, int h, int w, int pad, int th, int tw,
                                               long plane);

    private static native int winograd25Output0(long m, long y, long bias, long n, long k, int oh, int ow, int th,
                                                int tw, long plane);

    private static native int winograd25OutputAdjoint0(long dy, long dm, long dbias, long n, long k, int oh, int ow,
                                                       int th, int tw, long plane);

    private static native void winograd25Filter0(long w, long u, long k, long c, int flip, long plane);

    private static native void winograd25FilterAdjoint0(long du, long dw, long k, long c, long plane);

    private static native void addRows0(long a, long aStride, long b, long bStride, long out, long rows, long len);

    private static native int bindToShare0(int part, int parts);

    private static native void maxPoolForward0(long x, long y, long argmax, long planes, int h, int w, int oh, int ow,
                                               int kh, int kw, int sh, int sw);

    private static native void maxPoolBackward0(long g, long argmax, long gx, long planes, int inPlane, int outPlane);

    private static native void forward0(long x, long y, long scale, long den, long batch, long channels, long hw,
                                        float k, int half, float alpha, float beta);

    private static native void momentumStep0(long params, long grads, long state, long offset, long length,
                                             float batch, float decay, float momentum, float lr);

    private static native int backward0(long x, long y, long scale, long den, long g, long gx, long batch,
                                        long channels, long hw, int half, float alpha, float beta);

    /** Loads the library from the jar; null on success, else why the ND4J path is used instead. */
    private static String load() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> System.getProperty("os.arch");
        };
        String resource = "native/linux-" + arch + "/libalexnet_kernels.so";
        String reason;
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            reason = "disabled by -D" + DISABLE_PROPERTY + "=true";
        } else if (!os.startsWith("linux")) {
            reason = "no native LRN library for " + os;
        } else {
            try (InputStream in = NativeKernels.class.getResourceAsStream(resource)) {
                if (in == null) {
                    reason = "resource " + resource + " not in the jar (the build could not compile it: see its"
                            + " warning; deploy/setup.sh installs gcc)";
                } else {
                    Path tmp = Files.createTempFile("alexnet_kernels", ".so");
                    try {
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                        System.load(tmp.toAbsolutePath().toString());
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                    return null;
                }
            } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
                reason = "cannot load " + resource + ": " + e;
            }
        }
        // once per JVM (executor), so a slow fallback is never silent
        LOG.warn("native LRN and update kernels not used, they run as plain ND4J operations (slower on the CPU): {}",
                reason);
        return reason;
    }
}
