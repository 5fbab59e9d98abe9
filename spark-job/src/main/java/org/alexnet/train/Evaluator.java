package org.alexnet.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.train.data.AugmentationSettings;
import org.alexnet.train.data.Example;
import org.alexnet.train.data.ImagePreprocessor;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Distributed evaluation of the validation set: the centre 224 crop (after every epoch) or the
 * paper's 10 views (4 corners, centre, and their flips; softmax outputs averaged), top-1 and
 * top-5 error. Each task reuses its executor's model replica.
 */
final class Evaluator {
    private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);

    private final JavaSparkContext sc;
    private final AlexNetConfig model;
    private final TrainConfig train;
    private final Broadcast<DatasetStats> stats;
    private final JavaRDD<Example> validation;

    Evaluator(JavaSparkContext sc, AlexNetConfig model, TrainConfig train, Broadcast<DatasetStats> stats,
              JavaRDD<Example> validation) {
        this.sc = sc;
        this.model = model;
        this.train = train;
        this.stats = stats;
        this.validation = validation;
    }

    TopKCounts centreCrop(ParameterState state) {
        return evaluate(state, false);
    }

    TopKCounts tenCrop(ParameterState state) {
        return evaluate(state, true);
    }

    private TopKCounts evaluate(ParameterState state, boolean tenViews) {
        long t0 = System.nanoTime();
        Broadcast<ParameterState> broadcast = sc.broadcast(state);
        try {
            AlexNetConfig m = model;
            TrainConfig t = train;
            Broadcast<DatasetStats> s = stats;
            TopKCounts counts = validation
                    .mapPartitions(examples -> Collections.singletonList(
                            evaluatePartition(examples, m, t, s.value(), broadcast.value(), tenViews)).iterator())
                    .treeAggregate(new TopKCounts(), TopKCounts::merge, TopKCounts::merge, 2);
            LOG.info("evaluated {} validation images ({}) in {}", counts.examples(), tenViews ? "10 views" : "centre crop",
                    ProgressLine.duration((System.nanoTime() - t0) / 1e9));
            return counts;
        } finally {
            broadcast.destroy(true); // blocking: see RoundRunner
        }
    }

    static TopKCounts evaluatePartition(Iterator<Example> examples, AlexNetConfig model, TrainConfig train,
                                        DatasetStats stats, ParameterState state, boolean tenViews) {
        List<Integer> devices = train.taskDevices();
        WorkerModel replica = WorkerModels.borrow(model, train.executor(), devices);
        TopKCounts counts = new TopKCounts();
        try {
            replica.load(state, model.learningRate());
            ImagePreprocessor preprocessor = new ImagePreprocessor(
                    AugmentationSettings.paper(model.inputSize(), train.seed()), stats);
            int side = model.inputSize();
            int viewLength = 3 * side * side;
            int views = tenViews ? 10 : 1;
            List<float[]> batch = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            while (examples.hasNext()) {
                Example e = examples.next();
                try {
                    batch.add(tenViews ? preprocessor.tenViews(e.jpeg()) : preprocessor.centreView(e.jpeg()));
                    labels.add(e.label());
                } catch (RuntimeException bad) {
                    LOG.warn("validation image {} skipped: {}", e.key(), bad.getMessage());
                }
                if (batch.size() == train.evalBatchSize() || (!examples.hasNext() && !batch.isEmpty())) {
                    counts.add(predict(replica, batch, views, side, viewLength), labels.stream().mapToInt(i -> i).toArray());
                    batch.clear();
                    labels.clear();
                }
            }
        } finally {
            WorkerModels.giveBack(replica, train.executor(), devices);
        }
        return counts;
    }

    /** Mean softmax over each image's views: [images, classes]. */
    private static INDArray predict(WorkerModel replica, List<float[]> batch, int views, int side, int viewLength) {
        float[] all = new float[batch.size() * views * viewLength];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i), 0, all, i * views * viewLength, views * viewLength);
        }
        INDArray input = Nd4j.create(all, new long[] {(long) batch.size() * views, 3, side, side});
        INDArray probabilities = replica.output(input);
        return probabilities.reshape(batch.size(), views, probabilities.size(1)).mean(1);
    }
}
