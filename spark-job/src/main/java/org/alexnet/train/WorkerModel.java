package org.alexnet.train;

import java.util.List;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.columns.ColumnExecutor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One model replica on an executor: the canonical graph and the strategy that trains it
 * (the two-column executor or the plain graph). Built once per executor JVM and reused across
 * rounds (see {@link WorkerModels}); each round loads the broadcast state into it.
 */
final class WorkerModel implements AutoCloseable {
    private final AlexNetConfig config;
    private final ComputationGraph graph;
    private final ColumnExecutor columns; // null for the single-graph strategy
    private double learningRate = Double.NaN;

    WorkerModel(AlexNetConfig config, TrainConfig.Executor executor, List<Integer> devices) {
        this.config = config;
        this.graph = AlexNet.build(config);
        if (executor == TrainConfig.Executor.SINGLE || config.columns() == 1) {
            this.columns = null; // the one-column ablation has no columns to split
        } else {
            // no GPUs from Spark (CPU backend): both columns on the current device, one thread each
            this.columns = devices.isEmpty() ? ColumnExecutor.onCurrentDevice(graph, config)
                    : new ColumnExecutor(graph, config, devices);
        }
    }

    AlexNetConfig config() {
        return config;
    }

    ComputationGraph graph() {
        return graph;
    }

    /** Loads the round's parameters, momentum and learning rate. */
    void load(ParameterState state, double lr) {
        if (lr != learningRate) {
            graph.setLearningRate(lr); // rebuilds DL4J's updater blocks; the state is loaded next
            learningRate = lr;
        }
        state.loadInto(graph);
        if (columns != null) {
            columns.reload();
        }
    }

    /** Seeds the random generators that draw dropout masks (the column threads', or this thread's). */
    void reseed(long seed) {
        if (columns != null) {
            columns.reseed(seed);
        } else {
            Nd4j.getRandom().setSeed(seed);
        }
    }

    /** Trains one minibatch; returns its mean loss. */
    double fit(INDArray images, INDArray labels) {
        if (columns != null) {
            return columns.fit(images, labels);
        }
        graph.fit(new MultiDataSet(images, labels));
        return graph.score();
    }

    /** Softmax outputs for an image batch, without dropout, through the same executor as training. */
    INDArray output(INDArray images) {
        return columns != null ? columns.output(images) : graph.outputSingle(false, images);
    }

    /** The trained flat parameter and momentum vectors, [params, momentum] (written back from the columns first). */
    INDArray[] trainedVectors() {
        if (columns != null) {
            columns.writeBack();
        }
        return new INDArray[] {graph.params(), graph.getUpdater().getStateViewArray()};
    }

    @Override
    public void close() {
        if (columns != null) {
            columns.close();
        }
    }
}
