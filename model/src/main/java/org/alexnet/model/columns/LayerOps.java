package org.alexnet.model.columns;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.DropoutLayer;
import org.deeplearning4j.nn.layers.OutputLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.layers.normalization.LocalResponseNormalization;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One layer of a column, forward and backward, computed with ND4J/libnd4j operations directly
 * (conv2d, maxpool2d and their backward ops run through oneDNN when the backend has it) on the
 * parameters of the graph's layer object, writing its gradient, SUMMED over the minibatch as
 * DL4J's backprop leaves it, into that layer's gradient views. Driving DL4J's layer objects
 * instead costs ~5x more per step on the CPU (im2col in Java-managed buffers, transposed
 * matrix products); see docs/performance.md.
 */
interface LayerOps {
    /** The layer's output for input x (kept for the backward pass when training). */
    INDArray forward(INDArray x, boolean training);

    /**
     * Fills the layer's gradient views from the output gradient; returns the input gradient (or
     * null where the ops were made without it, see {@link #of}).
     */
    INDArray backward(INDArray epsilon);

    /** Drops what the forward pass kept for the backward pass. */
    void clear();

    /**
     * The ops for one of the layer types AlexNet uses.
     *
     * @param inputGradient whether the backward pass must return the input gradient (false for
     *                      the layers that read the image: their backward may return null)
     */
    static LayerOps of(Layer layer, boolean inputGradient) {
        if (layer instanceof ConvolutionLayer conv) {
            return new ConvOps(conv, inputGradient);
        }
        if (layer instanceof SubsamplingLayer pool) {
            return new PoolOps(pool);
        }
        if (layer instanceof LocalResponseNormalization lrn) {
            return new LrnOps(lrn.layerConf());
        }
        if (layer instanceof OutputLayer out) {
            return new DenseOps(out, true);
        }
        if (layer instanceof DenseLayer dense) {
            return new DenseOps(dense, false);
        }
        if (layer instanceof DropoutLayer drop) {
            return new DropoutOps(drop.layerConf().getIDropout());
        }
        throw new IllegalArgumentException("the column executor has no ops for layer '"
                + layer.getConfig().getLayerName() + "' (" + layer.getClass().getSimpleName() + ")");
    }

    /** The layer's gradient views by parameter key ("W", "b"), laid out like its parameters. */
    static Map<String, INDArray> gradientViews(Layer layer) {
        return layer.conf().getLayer().initializer().getGradientsFromFlattened(layer.conf(),
                layer.getGradientsViewArray());
    }
}
