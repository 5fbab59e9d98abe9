package org.alexnet.model.columns;

import org.alexnet.model.layers.NativeKernels;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Max pooling, NCHW: on the CPU in fp32 without padding one fused C pass that keeps each window's
 * winner for the backward pass ({@link NativeKernels#maxPoolForward}: libnd4j's oneDNN pooling
 * takes its slow plain-NCHW kernel on AVX2), elsewhere libnd4j's maxpool2d / maxpool2d_bp. Both
 * send a window's gradient to its first maximum in row-major order.
 */
final class PoolOps implements LayerOps {
    private final int[] args;
    private final boolean unpadded;
    private INDArray input;
    private NativeKernels.MaxPool nativeForward;

    PoolOps(SubsamplingLayer layer) {
        org.deeplearning4j.nn.conf.layers.SubsamplingLayer c = layer.layerConf();
        if (c.getPoolingType() != PoolingType.MAX || c.getConvolutionMode() == ConvolutionMode.Same) {
            throw new IllegalArgumentException("pool ops: layer " + c.getLayerName() + " must be max pooling without 'same' mode");
        }
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] p = c.getPadding();
        int[] d = c.getDilation();
        // kH kW sH sW pH pW dH dW same(0) unused(0) NCHW(0)
        this.args = new int[] {k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], 0, 0, 0};
        this.unpadded = p[0] == 0 && p[1] == 0 && d[0] == 1 && d[1] == 1;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        input = x;
        nativeForward = unpadded ? NativeKernels.maxPoolForward(x, args[0], args[1], args[2], args[3]) : null;
        if (nativeForward != null) {
            return nativeForward.output();
        }
        long outH = (x.size(2) + 2L * args[4] - args[0]) / args[2] + 1;
        long outW = (x.size(3) + 2L * args[5] - args[1]) / args[3] + 1;
        INDArray out = Nd4j.createUninitialized(x.dataType(), x.size(0), x.size(1), outH, outW);
        Nd4j.exec(DynamicCustomOp.builder("maxpool2d").addInputs(x).addOutputs(out).addIntegerArguments(args).build());
        return out;
    }

    @Override
    public INDArray backward(INDArray epsilon) {
        if (nativeForward != null) {
            return NativeKernels.maxPoolBackward(nativeForward, epsilon, input.shape());
        }
        INDArray gradInput = input.ulike();
        Nd4j.exec(DynamicCustomOp.builder("maxpool2d_bp").addInputs(input, epsilon).addOutputs(gradInput)
                .addIntegerArguments(args).build());
        return gradInput;
    }

    @Override
    public void clear() {
        input = null;
        nativeForward = null;
    }
}
