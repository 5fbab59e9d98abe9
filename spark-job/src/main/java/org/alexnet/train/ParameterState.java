package org.alexnet.train;

import java.io.Serializable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the driver broadcasts each round and averages back: the flat parameter vector and the
 * flat momentum (updater state) vector of the canonical graph, as plain float arrays (the wire
 * format: no ND4J object crosses the network).
 */
public final class ParameterState implements Serializable {
    private static final long serialVersionUID = 1L;

    private final float[] params;
    private final float[] momentum;

    public ParameterState(float[] params, float[] momentum) {
        if (params.length != momentum.length) {
            throw new IllegalArgumentException("classical momentum has one value per parameter: "
                    + params.length + " parameters vs " + momentum.length + " momentum values");
        }
        this.params = params;
        this.momentum = momentum;
    }

    /** A copy of the graph's parameters and momentum. */
    public static ParameterState of(ComputationGraph graph) {
        return new ParameterState(graph.params().castTo(DataType.FLOAT).toFloatVector(),
                graph.getUpdater().getStateViewArray().castTo(DataType.FLOAT).toFloatVector());
    }

    /** Writes this state into the graph (parameters and momentum, in the graph's precision). */
    public void loadInto(ComputationGraph graph) {
        INDArray p = graph.params();
        INDArray m = graph.getUpdater().getStateViewArray();
        if (p.length() != params.length || m.length() != momentum.length) {
            throw new IllegalStateException("the graph has " + p.length() + " parameters, the state " + params.length);
        }
        p.assign(Nd4j.createFromArray(params).castTo(p.dataType()).reshape(p.shape()));
        m.assign(Nd4j.createFromArray(momentum).castTo(m.dataType()).reshape(m.shape()));
    }

    public float[] params() {
        return params;
    }

    public float[] momentum() {
        return momentum;
    }

    public int size() {
        return params.length;
    }
}
