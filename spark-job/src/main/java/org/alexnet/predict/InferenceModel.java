package org.alexnet.predict;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.alexnet.archive.ModelArchive;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.columns.ColumnExecutor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One replica of a trained model on an executor, for inference: the two-column net runs on the
 * column executor's inference path (each column on its own thread and device, as in training,
 * without gradient or momentum memory); the one-column ablation net on DL4J's graph. Gives the
 * softmax and the last hidden layer (fc7: the paper's 4096 units, both columns), each averaged
 * over an image's views. One task uses a replica at a time ({@link InferenceModels} lends them).
 */
final class InferenceModel implements AutoCloseable {
    /** The last hidden layer, the paper's image feature (Figure 4). */
    static final String FEATURE_LAYER = "fc7";
    private static final String OUTPUT_LAYER = "fc8";

    private final AlexNetConfig config;
    private final ComputationGraph graph;
    private final Forward forward;

    /** How a replica computes layer activations: the two columns' executor, or DL4J's graph. */
    private interface Forward extends AutoCloseable {
        Map<String, INDArray> activations(INDArray x, List<String> layers);

        boolean reusable();

        @Override
        void close();
    }

    private record Columns(ColumnExecutor columns) implements Forward {
        @Override
        public Map<String, INDArray> activations(INDArray x, List<String> layers) {
            return columns.activations(x, layers);
        }

        @Override
        public boolean reusable() {
            return columns.isOpen(); // false once a column thread failed
        }

        @Override
        public void close() {
            columns.close();
        }
    }

    private record Graph(ComputationGraph graph) implements Forward {
        @Override
        public Map<String, INDArray> activations(INDArray x, List<String> layers) {
            Map<String, INDArray> all = graph.feedForward(x, false);
            Map<String, INDArray> out = new java.util.LinkedHashMap<>();
            layers.forEach(l -> out.put(l, all.get(l)));
            return out;
        }

        @Override
        public boolean reusable() {
            return true;
        }

        @Override
        public void close() {
            // the graph's memory is the JVM's
        }
    }

    /** A fresh replica of the archive's network on the given devices (none: the current device). */
    InferenceModel(ModelArchive archive, List<Integer> devices) throws IOException {
        this.config = archive.model();
        this.graph = archive.graph();
        this.forward = config.columns() == 2 ? new Columns(ColumnExecutor.forInference(graph, config, devices))
                : new Graph(graph);
    }

    AlexNetConfig config() {
        return config;
    }

    /** True when the replica can be lent again (its column threads did not fail). */
    boolean reusable() {
        return forward.reusable();
    }

    /**
     * Runs a batch of views, {@code views} consecutive views per image.
     *
     * @param input    [images * views, 3, side, side]
     * @param features whether to compute the fc7 features too
     * @return [probabilities [images, classes], features [images, width] or null]
     */
    INDArray[] infer(INDArray input, int views, boolean features) {
        INDArray x = input.castTo(graph.params().dataType());
        List<String> layers = features ? List.of(OUTPUT_LAYER, FEATURE_LAYER) : List.of(OUTPUT_LAYER);
        Map<String, INDArray> out = forward.activations(x, layers);
        return new INDArray[] {perImage(out.get(OUTPUT_LAYER), views),
                features ? perImage(out.get(FEATURE_LAYER), views) : null};
    }

    /** The mean over each image's views: [images * views, width] to [images, width]. */
    private static INDArray perImage(INDArray rows, int views) {
        if (views == 1) {
            return rows;
        }
        return rows.reshape(rows.size(0) / views, views, rows.size(1)).mean(1);
    }

    @Override
    public void close() {
        forward.close();
    }
}
