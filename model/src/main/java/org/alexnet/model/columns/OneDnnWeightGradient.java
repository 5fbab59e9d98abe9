package org.alexnet.model.columns;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

import java.lang.ref.Reference;
import java.util.Arrays;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A convolution's weight and bias gradient WITHOUT its input gradient, through oneDNN's
 * convolution backward-weights primitive (org.bytedeco:dnnl, the JavaCPP presets of oneDNN 2.5
 * for ND4J's javacpp 1.5.7). libnd4j's {@code conv2d_bp} always computes the input gradient
 * too, which the first layer (reading the image) does not need and which oneDNN computes slowly
 * for 3 input channels: for conv1 that was most of its backward pass (docs/performance.md).
 * The gradients are the ones conv2d_bp computes: libnd4j runs the same oneDNN primitive for them.
 *
 * <p>One instance per layer and column thread (primitives are built for the last input shape and
 * reused); fp32, NCHW, host memory; {@link #usable} says whether it can run at all (the CPU
 * backend with the oneDNN library loaded), else the caller keeps conv2d_bp.
 */
final class OneDnnWeightGradient {
    /** Set to true to compute conv1's gradients with conv2d_bp as every other layer (as NativeKernels' switch). */
    static final String DISABLE_PROPERTY = "alexnet.onednn-weights.disable";
    /** Whether this path is on: oneDNN's library loaded and the switch above not set. */
    private static final boolean ENABLED = OneDnnLibrary.enabledUnless(DISABLE_PROPERTY, OneDnnWeightGradient.class,
            "conv1's backward pass computes the input gradient nobody needs too");
    private final long[] kernel;
    private final long[] strides;
    private final long[] padding;
    private long[] builtFor;
    private Primitives p;

    /** The layer's kernel [kH, kW], stride and padding, as conv2d's arguments give them. */
    OneDnnWeightGradient(int[] kernel, int[] stride, int[] padding) {
        this.kernel = new long[] {kernel[0], kernel[1]};
        this.strides = new long[] {stride[0], stride[1]};
        this.padding = new long[] {padding[0], padding[1]};
    }

    /** Whether this path can compute the gradient of an fp32 input on this backend. */
    static boolean usable(INDArray input) {
        return input.dataType() == DataType.FLOAT && input.rank() == 4 && ENABLED;
    }

    /**
     * Fills gradWeights [out, in, kH, kW] and gradBias [out] (dense views, e.g. of the flat
     * gradient vector) with the gradient SUMMED over the minibatch, from the layer's input x
     * [n, in, h, w] and the gradient dz [n, out, oh, ow] of its pre-activation output.
     */
    void compute(INDArray x, INDArray dz, INDArray gradWeights, INDArray gradBias) {
        x = dense(x);
        dz = dense(dz);
        requireDense(gradWeights, "weight gradient");
        requireDense(gradBias, "bias gradient");
        long[] shape = {x.size(0), x.size(1), x.size(2), x.size(3), dz.size(1), dz.size(2), dz.size(3)};
        if (!Arrays.equals(shape, builtFor)) {
            p = new Primitives(shape);
            builtFor = shape;
        }
        p.userSrc.set_data_handle(OneDnnLibrary.at(x));
        p.userDiffDst.set_data_handle(OneDnnLibrary.at(dz));
        p.userDiffWeights.set_data_handle(OneDnnLibrary.at(gradWeights));
        p.diffBias.set_data_handle(OneDnnLibrary.at(gradBias));
        if (p.srcReorder != null) {
            p.srcReorder.execute(p.stream, p.userSrc, p.src);
        }
        if (p.diffDstReorder != null) {
            p.diffDstReorder.execute(p.stream, p.userDiffDst, p.diffDst);
        }
        p.backwardWeights.execute(p.stream, p.args);
        if (p.diffWeightsReorder != null) {
            p.diffWeightsReorder.execute(p.stream, p.diffWeights, p.userDiffWeights);
        }
        p.stream._wait();
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(dz);
        Reference.reachabilityFence(gradWeights);
        Reference.reachabilityFence(gradBias);
    }

    /** The primitive for one input shape, and its memories in oneDNN's preferred layouts. */
    private final class Primitives {
        final engine cpu = new engine(engine.kind.cpu, 0);
        final stream stream = new stream(cpu);
        final memory userSrc;
        final memory userDiffDst;
        final memory userDiffWeights;
        final memory diffBias;
        final memory src;
        final memory diffDst;
        final memory diffWeights;
        final reorder srcReorder;
        final reorder diffDstReorder;
        final reorder diffWeightsReorder;
        final convolution_backward_weights backwardWeights;
        final IntMemoryMap args = new IntMemoryMap();

        /** shape: n, in, h, w, out, oh, ow. */
        Primitives(long[] shape) {
            long n = shape[0];
            long in = shape[1];
            long out = shape[4];
            long[] srcDims = {n, in, shape[2], shape[3]};
            long[] dstDims = {n, out, shape[5], shape[6]};
            long[] weightDims = {out, in, kernel[0], kernel[1]};
            // oneDNN's right/bottom padding: what makes the last window end inside the padded input
            long[] paddingEnd = {
                (shape[5] - 1) * strides[0] + kernel[0] - shape[2] - padding[0],
                (shape[6] - 1) * strides[1] + kernel[1] - shape[3] - padding[1]};
            memory.desc srcUser = desc(srcDims, memory.format_tag.nchw);
            memory.desc dstUser = desc(dstDims, memory.format_tag.nchw);
            memory.desc weightsUser = desc(weightDims, memory.format_tag.oihw);
            memory.desc bias = desc(new long[] {out}, memory.format_tag.x);
            // the forward descriptor is the backward primitive's hint, as oneDNN requires
            convolution_forward.primitive_desc forward = new convolution_forward.primitive_desc(
                    new convolution_forward.desc(prop_kind.forward_training, algorithm.convolution_direct,
                            desc(srcDims, memory.format_tag.any), desc(weightDims, memory.format_tag.any), bias,
                            desc(dstDims, memory.format_tag.any), strides, padding, paddingEnd), cpu);
            convolution_backward_weights.primitive_desc pd = new convolution_backward_weights.primitive_desc(
                    new convolution_backward_weights.desc(algorithm.convolution_direct,
                            desc(srcDims, memory.format_tag.any), desc(weightDims, memory.format_tag.any), bias,
                            desc(dstDims, memory.format_tag.any), strides, padding, paddingEnd), cpu, forward);
            Pointer none = new Pointer();
            userSrc = new memory(srcUser, cpu, none);
            userDiffDst = new memory(dstUser, cpu, none);
            userDiffWeights = new memory(weightsUser, cpu, none);
            diffBias = new memory(bias, cpu, none);
            boolean srcAsIs = pd.src_desc().equals(srcUser);
            boolean dstAsIs = pd.diff_dst_desc().equals(dstUser);
            boolean weightsAsIs = pd.diff_weights_desc().equals(weightsUser);
            src = srcAsIs ? userSrc : new memory(pd.src_desc(), cpu);
            diffDst = dstAsIs ? userDiffDst : new memory(pd.diff_dst_desc(), cpu);
            diffWeights = weightsAsIs ? userDiffWeights : new memory(pd.diff_weights_desc(), cpu);
            srcReorder = srcAsIs ? null : new reorder(userSrc, src);
            diffDstReorder = dstAsIs ? null : new reorder(userDiffDst, diffDst);
            diffWeightsReorder = weightsAsIs ? null : new reorder(diffWeights, userDiffWeights);
            backwardWeights = new convolution_backward_weights(pd);
            args.put(DNNL_ARG_SRC, src);
            args.put(DNNL_ARG_DIFF_DST, diffDst);
            args.put(DNNL_ARG_DIFF_WEIGHTS, diffWeights);
            args.put(DNNL_ARG_DIFF_BIAS, diffBias);
        }

        private memory.desc desc(long[] dims, memory.format_tag tag) {
            return new memory.desc(dims, memory.data_type.f32, tag);
        }
    }


    /** The array itself when it is a dense row-major fp32 array, else such a copy. */
    private static INDArray dense(INDArray a) {
        return isDense(a) ? a : a.dup('c');
    }

    private static boolean isDense(INDArray a) {
        // contiguous in row-major order (a vector in either order)
        return a.dataType() == DataType.FLOAT && a.elementWiseStride() == 1 && (a.ordering() == 'c' || a.isVector())
                && a.data().length() >= a.length();
    }

    private static void requireDense(INDArray a, String what) {
        if (!isDense(a)) {
            throw new IllegalArgumentException(what + ": a dense row-major fp32 array expected");
        }
    }
}
