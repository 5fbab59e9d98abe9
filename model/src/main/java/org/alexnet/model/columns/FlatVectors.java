package org.alexnet.model.columns;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A graph's flat parameter, gradient and momentum (updater-state) vectors as 1-d views, the form
 * in which the columns update ({@link ParamUpdate}) and copy ({@link Replicas}) their share of
 * them, slice by slice ({@link ParamUpdate.Slice#of}). DL4J keeps them as [1, n] rows.
 */
final class FlatVectors {
    private FlatVectors() {
    }

    static INDArray params(ComputationGraph graph) {
        return flat(graph.params());
    }

    static INDArray gradients(ComputationGraph graph) {
        return flat(graph.getGradientsViewArray());
    }

    /** The classical momentum's velocity: one value per parameter, at the parameter's offset. */
    static INDArray momentum(ComputationGraph graph) {
        return flat(graph.getUpdater().getStateViewArray());
    }

    private static INDArray flat(INDArray a) {
        return a.reshape(a.length());
    }
}
