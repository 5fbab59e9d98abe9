package org.alexnet.model.columns;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A fully connected layer, z = x W + b then the activation, with the products as BLAS gemm ({@link OneDnnGemm})
 * calls on the layer's own [in, out] weight view (DL4J lays it out column-major) and straight
 * into its gradient view. As the output layer (softmax + cross-entropy, the paper's fc8) it also
 * computes the loss, and its backward pass starts from the labels: dL/dz = p - y per example.
 */
final class DenseOps implements LayerOps {
    /** DL4J's LossMCXENT keeps probabilities in [eps, 1 - eps] when it takes their log. */
    private static final double SOFTMAX_CLIP = 1e-10;

    private final Layer layer;
    private final IActivation activation;
    private final boolean output;
    private INDArray input;
    private INDArray preActivation;
    private INDArray out;
    private INDArray labels;

    DenseOps(Layer layer, boolean output) {
        this.layer = layer;
        FeedForwardLayer c = (FeedForwardLayer) layer.conf().getLayer();
        this.activation = c.getActivationFn();
        this.output = output;
        if (output && (!(c instanceof BaseOutputLayer o) || !(o.getLossFn() instanceof LossMCXENT)
                || !(activation instanceof ActivationSoftmax) || ((LossMCXENT) o.getLossFn()).getWeights() != null)) {
            throw new IllegalArgumentException("dense ops: the output layer must be softmax with unweighted MCXENT loss");
        }
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        input = x;
        INDArray w = layer.getParam("W");
        INDArray z = Nd4j.createUninitialized(x.dataType(), new long[] {x.size(0), w.size(1)}, 'f');
        OneDnnGemm.gemm(x, false, w, false, z);
        z.addiRowVector(layer.getParam("b"));
        preActivation = z;
        out = activation.getActivation(z.dup(), training);
        return out;
    }

    /** Output layer only: the labels of the minibatch last run forward. */
    void setLabels(INDArray labels) {
        this.labels = labels;
    }

    /** Output layer only: the mean cross-entropy over the minibatch, plus the given regularization score. */
    double loss(double regularizationScore) {
        // as DL4J clips: comparisons leave NaN (a diverged net) as NaN, so the loss shows it
        INDArray clipped = out.dup();
        BooleanIndexing.replaceWhere(clipped, SOFTMAX_CLIP, Conditions.lessThan(SOFTMAX_CLIP));
        BooleanIndexing.replaceWhere(clipped, 1 - SOFTMAX_CLIP, Conditions.greaterThan(1 - SOFTMAX_CLIP));
        double sum = -Transforms.log(clipped, false).muli(labels).sumNumber().doubleValue();
        return sum / labels.size(0) + regularizationScore;
    }

    @Override
    public INDArray backward(INDArray epsilon) {
        INDArray dz = output ? out.sub(labels) : activation.backprop(preActivation, epsilon).getFirst();
        Map<String, INDArray> grads = LayerOps.gradientViews(layer);
        OneDnnGemm.gemm(input, true, dz, false, grads.get("W"));
        grads.get("b").assign(dz.sum(0).reshape(grads.get("b").shape()));
        INDArray gradInput = Nd4j.createUninitialized(input.dataType(), input.size(0), input.size(1));
        OneDnnGemm.gemm(dz, false, layer.getParam("W"), true, gradInput);
        return gradInput;
    }

    @Override
    public void clear() {
        input = null;
        preActivation = null;
        out = null;
        labels = null;
    }
}
