package org.alexnet.train;

import java.util.List;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.columns.ColumnExecutor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a worker's model replica trains and infers, as {@code train.executor} chooses: the
 * two-column executor ({@link Columns}: each column on its own thread and device) or DL4J's
 * graph ({@link SingleGraph}: {@code train.executor=single}, and the one-column net, which has
 * no columns to split). Both compute on the same canonical graph, whose parameters and momentum
 * are what a round loads and averages.
 */
interface TrainingStrategy extends AutoCloseable {

    /** The strategy {@code choice} names for this graph, its columns on the given devices (none: the current one). */
    static TrainingStrategy of(ComputationGraph graph, AlexNetConfig config, TrainConfig.Executor choice,
                               List<Integer> devices) {
        if (choice == TrainConfig.Executor.SINGLE || config.columns() == 1) {
            return new SingleGraph(graph);
        }
        // no GPUs from Spark (CPU backend): both columns on the current device, one thread each
        return new Columns(devices.isEmpty() ? ColumnExecutor.onCurrentDevice(graph, config)
                : new ColumnExecutor(graph, config, devices));
    }

    /** Takes up the parameters and momentum just loaded into the canonical graph. */
    void reload();

    /** Seeds the random generators that draw dropout masks. */
    void reseed(long seed);

    /** Trains one minibatch; returns its mean loss. */
    double fit(INDArray images, INDArray labels);

    /** Softmax outputs for an image batch, without dropout. */
    INDArray output(INDArray images);

    /** Leaves the trained parameters and momentum in the canonical graph. */
    void writeBack();

    @Override
    void close();

    /** DL4J's own {@code ComputationGraph.fit} and inference, on this thread. */
    record SingleGraph(ComputationGraph graph) implements TrainingStrategy {
        @Override
        public void reload() {
            // the graph is the one loaded
        }

        @Override
        public void reseed(long seed) {
            Nd4j.getRandom().setSeed(seed);
        }

        @Override
        public double fit(INDArray images, INDArray labels) {
            graph.fit(new MultiDataSet(images, labels));
            return graph.score();
        }

        @Override
        public INDArray output(INDArray images) {
            return graph.outputSingle(false, images);
        }

        @Override
        public void writeBack() {
            // trained in place
        }

        @Override
        public void close() {
            // no threads of its own
        }
    }

    /** The paper's two columns, each on its own thread and device ({@link ColumnExecutor}). */
    record Columns(ColumnExecutor columns) implements TrainingStrategy {
        @Override
        public void reload() {
            columns.reload();
        }

        @Override
        public void reseed(long seed) {
            columns.reseed(seed);
        }

        @Override
        public double fit(INDArray images, INDArray labels) {
            return columns.fit(images, labels);
        }

        @Override
        public INDArray output(INDArray images) {
            return columns.output(images);
        }

        @Override
        public void writeBack() {
            columns.writeBack();
        }

        @Override
        public void close() {
            columns.close();
        }
    }
}
