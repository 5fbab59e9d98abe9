package org.alexnet.model.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The paper's local response normalisation across channels, forward and its EXACT derivative,
 * on [batch, channels, height, width] arrays with plain ND4J ops (so it computes the same
 * numbers on every backend and in double precision):
 * <pre>
 *   d_i = k + alpha * sum_{j in N(i)} x_j^2        N(i): channels i-n/2 .. i+n/2 that exist
 *   y_i = x_i * d_i^-beta
 *   dL/dx_j = g_j d_j^-beta - 2 alpha beta x_j sum_{i in N(j)} g_i y_i / d_i
 * </pre>
 * (the window is symmetric, so "the i whose window holds j" is N(j)). DL4J's own LRN layer
 * divides the neighbour sum by d_i's own value where this uses d_j, and libnd4j's lrn_bp
 * differs from the derivative too; both were measured against finite differences. On the CPU
 * backend fp32 arrays go through one fused C loop per pass ({@link NativeKernels}), elsewhere
 * through ND4J operations; both compute these formulas.
 */
public final class LrnMath {
    /** The output and the per-element d^-beta the backward pass reuses. */
    public record Forward(INDArray output, INDArray scale, INDArray denominator) {
    }

    private LrnMath() {
    }

    /**
     * @param n     window size (channels), odd
     * @param alpha the alpha of the formula above (the paper's convention, not divided by n)
     */
    public static Forward forward(INDArray x, double k, int n, double alpha, double beta) {
        if (NativeKernels.usable(x)) {
            return NativeKernels.forward(x, k, n, alpha, beta);
        }
        return forwardWithOps(x, k, n, alpha, beta);
    }

    /** The gradient of the input, given the forward pass of the same input and the output gradient g. */
    public static INDArray backward(INDArray x, Forward f, INDArray g, int n, double alpha, double beta) {
        if (NativeKernels.usable(x)) {
            return NativeKernels.backward(x, f, g, n, alpha, beta);
        }
        return backwardWithOps(x, f, g, n, alpha, beta);
    }

    /** {@link #forward} with ND4J operations only (any backend, any precision). */
    static Forward forwardWithOps(INDArray x, double k, int n, double alpha, double beta) {
        INDArray d = windowSum(x.mul(x), n / 2).muli(alpha).addi(k);
        INDArray scale = Transforms.pow(d, -beta, true);
        return new Forward(x.mul(scale), scale, d);
    }

    /** {@link #backward} with ND4J operations only. */
    static INDArray backwardWithOps(INDArray x, Forward f, INDArray g, int n, double alpha, double beta) {
        INDArray t = windowSum(g.mul(f.output()).divi(f.denominator()), n / 2);
        return g.mul(f.scale()).subi(t.muli(x).muli(2 * alpha * beta));
    }

    /** For every channel c: the sum of a over channels c-half .. c+half that exist. */
    static INDArray windowSum(INDArray a, int half) {
        long channels = a.size(1);
        INDArray sum = a.dup();
        for (int shift = 1; shift <= half && shift < channels; shift++) {
            sum.get(channels(shift, channels)).addi(a.get(channels(0, channels - shift)));
            sum.get(channels(0, channels - shift)).addi(a.get(channels(shift, channels)));
        }
        return sum;
    }

    private static INDArrayIndex[] channels(long from, long to) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.interval(from, to), NDArrayIndex.all(),
                NDArrayIndex.all()};
    }
}
