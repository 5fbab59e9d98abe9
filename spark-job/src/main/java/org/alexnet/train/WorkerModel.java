package org.alexnet.train;

import java.util.List;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One model replica on an executor: the canonical graph and the {@link TrainingStrategy} that
 * trains it. Built once per executor JVM and reused across rounds (see {@link WorkerModels});
 * each round loads the broadcast state into it.
 */
final class WorkerModel implements AutoCloseable {
    private final AlexNetConfig config;
    private final ComputationGraph graph;
    private final TrainingStrategy strategy;
    private double learningRate = Double.NaN;

    WorkerModel(AlexNetConfig config, TrainConfig.Executor strategy, List<Integer> devices) {
        this.config = config;
        this.graph = AlexNet.build(config);
        this.strategy = TrainingStrategy.of(graph, config, strategy, devices);
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
        strategy.reload();
    }

    /** Seeds the random generators that draw dropout masks (the column threads', or this thread's). */
    void reseed(long seed) {
        strategy.reseed(seed);
    }

    /** Trains one minibatch; returns its mean loss. */
    double fit(INDArray images, INDArray labels) {
        return strategy.fit(images, labels);
    }

    /** Softmax outputs for an image batch, without dropout, through the same strategy as training. */
    INDArray output(INDArray images) {
        return strategy.output(images);
    }

    /** The trained flat parameter and momentum vectors, [params, momentum] (written back from the columns first). */
    INDArray[] trainedVectors() {
        strategy.writeBack();
        return new INDArray[] {graph.params(), graph.getUpdater().getStateViewArray()};
    }

    @Override
    public void close() {
        strategy.close();
    }
}
