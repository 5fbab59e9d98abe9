package org.alexnet.model.columns;

import java.util.Map;
import org.alexnet.model.layers.NativeKernels;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Convolution + bias + activation: libnd4j's conv2d / conv2d_bp (oneDNN on the CPU when present),
 * NCHW. A layer whose input gradient nobody needs (conv1, reading the image) runs forward as
 * matrix products over cache-sized blocks ({@link LoweredConvolution}) and computes only its
 * weight and bias gradient ({@link OneDnnWeightGradient}) where it can; 5x5 and 3x3 stride-1
 * layers (conv2, conv3-conv5) run as Winograd's F(2x2, 5x5) and F(4x4, 3x3)
 * ({@link WinogradConvolution}) where they can. ReLU runs in place as one native pass
 * ({@code NativeKernels.reluForward}/{@code reluBackward}) where it can.
 */
final class ConvOps implements LayerOps {
    private final ConvolutionLayer layer;
    private final IActivation activation;
    private final int[] args;
    private final OneDnnWeightGradient weightGradientOnly;
    private final LoweredConvolution lowered;
    private final WinogradConvolution winograd;
    private boolean winogradForward;
    /** The paper's ReLU: the layer keeps its output instead of a copy of the pre-activation. */
    private final boolean reluInPlace;
    private INDArray input;
    private INDArray preActivation;

    /**
     * @param inputGradient false when the layer's input gradient is not needed (its input is the
     *                      image): {@link #backward} may then return null
     */
    ConvOps(ConvolutionLayer layer, boolean inputGradient) {
        this.layer = layer;
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layer.layerConf();
        if (c.getConvolutionMode() == ConvolutionMode.Same || c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException("conv ops: layer " + c.getLayerName() + " must be NCHW without 'same' mode");
        }
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] p = c.getPadding();
        int[] d = c.getDilation();
        // kH kW sH sW pH pW dH dW same(0) NCHW(0) weights [out, in, kH, kW](1), as DL4J lays them out
        this.args = new int[] {k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], 0, 0, 1};
        this.activation = c.getActivationFn();
        this.reluInPlace = activation.equals(new ActivationReLU());
        this.weightGradientOnly = inputGradient ? null : new OneDnnWeightGradient(k, s, p);
        this.lowered = inputGradient || !LoweredConvolution.applies(d) ? null : new LoweredConvolution(k, s, p);
        this.winograd = inputGradient && WinogradConvolution.applies(k, s, p, d) ? new WinogradConvolution(k[0], p[0]) : null;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        input = x;
        INDArray w = layer.getParam("W");
        long outH = (x.size(2) + 2L * args[4] - ((long) args[6] * (args[0] - 1) + 1)) / args[2] + 1;
        long outW = (x.size(3) + 2L * args[5] - ((long) args[7] * (args[1] - 1) + 1)) / args[3] + 1;
        winogradForward = winograd != null && winograd.usable(x);
        INDArray z;
        if (winogradForward) {
            z = winograd.forward(x, w, bias());
        } else if (lowered != null && LoweredConvolution.usable(x)) {
            if (reluInPlace && NativeKernels.reluAvailable()) {
                preActivation = lowered.forward(x, w, bias(), true);
                return preActivation;
            }
            z = lowered.forward(x, w, bias(), false);
        } else {
            z = Nd4j.createUninitialized(x.dataType(), x.size(0), w.size(0), outH, outW);
            Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, w, bias()).addOutputs(z)
                    .addIntegerArguments(args).build());
        }
        if (reluInPlace) {
            // ReLU's derivative is 1 exactly where its output is positive, so the output, computed in
            // place, serves the backward pass as the pre-activation would (relu_bp tests input > 0)
            preActivation = NativeKernels.reluForward(z) ? z : activation.getActivation(z, training);
            return preActivation;
        }
        preActivation = z;
        return activation.getActivation(z.dup(), training);
    }

    @Override
    public INDArray backward(INDArray epsilon) {
        INDArray dz = reluInPlace ? NativeKernels.reluBackward(preActivation, epsilon) : null;
        if (dz == null) {
            dz = activation.backprop(preActivation, epsilon).getFirst();
        }
        Map<String, INDArray> grads = LayerOps.gradientViews(layer);
        if (weightGradientOnly != null && OneDnnWeightGradient.usable(input)) {
            weightGradientOnly.compute(input, dz, grads.get("W"), grads.get("b"));
            return null;
        }
        if (winogradForward) {
            return winograd.backward(dz, layer.getParam("W"), grads.get("W"), grads.get("b"));
        }
        INDArray gradInput = input.ulike();
        INDArray gradWeights = grads.get("W").ulike();
        INDArray gradBias = Nd4j.createUninitialized(dz.dataType(), dz.size(1));
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp")
                .addInputs(input, layer.getParam("W"), bias(), dz)
                .addOutputs(gradInput, gradWeights, gradBias)
                .addIntegerArguments(args).build());
        grads.get("W").assign(gradWeights);
        grads.get("b").assign(gradBias.reshape(grads.get("b").shape()));
        return gradInput;
    }

    @Override
    public void clear() {
        input = null;
        preActivation = null;
        if (winograd != null) {
            winograd.clear();
        }
    }

    private INDArray bias() {
        INDArray b = layer.getParam("b");
        return b.reshape(b.length());
    }
}
