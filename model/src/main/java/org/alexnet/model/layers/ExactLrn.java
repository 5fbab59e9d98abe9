package org.alexnet.model.layers;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of the project's LRN layer: DL4J's {@link LocalResponseNormalization} settings
 * (k, n, alpha in the formula's own convention, beta), computed by {@link LrnMath} with the exact
 * derivative on every backend (see {@link ExactLrnLayer}).
 */
public class ExactLrn extends LocalResponseNormalization {
    /** For JSON deserialisation. */
    public ExactLrn() {
    }

    public ExactLrn(double k, int n, double alpha, double beta) {
        setK(k);
        setN(n);
        setAlpha(alpha);
        setBeta(beta);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean initialize, DataType dataType) {
        ExactLrnLayer layer = new ExactLrnLayer(conf, dataType);
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(params);
        Map<String, INDArray> table = initializer().init(conf, params, initialize);
        layer.setParamTable(table);
        layer.setConf(conf);
        return layer;
    }
}
