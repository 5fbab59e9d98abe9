package org.alexnet.train;

import java.util.function.DoubleConsumer;
import java.util.function.Function;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.train.data.Example;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.Tuple2;
import scala.runtime.AbstractFunction1;

/**
 * One round on the cluster: broadcast the state, run one task per worker on exactly that
 * round's chunks of the cached epoch data, and aggregate the workers' results in a tree.
 * {@link #broadcastAndAggregate} is the round's communication, shared by the training job and
 * {@code bench averaging} ({@link #runOnMinibatches}), so the benchmark times the production code.
 */
public final class RoundRunner {
    /** Depth of the tree that aggregates the workers' results. */
    static final int AGGREGATION_DEPTH = 2;

    private final JavaSparkContext sc;
    private final AlexNetConfig model;
    private final TrainConfig train;
    private final Broadcast<DatasetStats> stats;

    RoundRunner(JavaSparkContext sc, AlexNetConfig model, TrainConfig train, Broadcast<DatasetStats> stats) {
        this.sc = sc;
        this.model = model;
        this.train = train;
        this.stats = stats;
    }

    WeightedSum run(JavaPairRDD<Long, Example> epochData, EpochPlan plan, int round, ParameterState state, double lr) {
        return broadcastAndAggregate(sc, state, broadcast -> {
            PartitionPruningRDD<Tuple2<Long, Example>> chunks =
                    PartitionPruningRDD.create(epochData.rdd(), new RoundChunks(plan.workers(), round));
            WorkerTask task = new WorkerTask(model, train, broadcast, stats, plan, round, lr);
            return chunks.toJavaRDD().mapPartitionsWithIndex(task, false);
        }, seconds -> { });
    }

    /**
     * Broadcasts the state, runs the workers' tasks that {@code workers} defines on that
     * broadcast, and tree-aggregates their results into one weighted sum; the broadcast is
     * destroyed afterwards. {@code broadcastSeconds} receives the driver's time to create the
     * broadcast (Spark serialises and stores its blocks then).
     */
    public static WeightedSum broadcastAndAggregate(JavaSparkContext sc, ParameterState state,
                                                    Function<Broadcast<ParameterState>, JavaRDD<WorkerResult>> workers,
                                                    DoubleConsumer broadcastSeconds) {
        long t0 = System.nanoTime();
        Broadcast<ParameterState> broadcast = sc.broadcast(state);
        broadcastSeconds.accept((System.nanoTime() - t0) / 1e9);
        try {
            return workers.apply(broadcast)
                    .treeAggregate(new WeightedSum(), WeightedSum::add, WeightedSum::merge, AGGREGATION_DEPTH);
        } finally {
            broadcast.destroy();
        }
    }

    /**
     * One round on in-memory minibatches instead of the epoch's JPEG chunks: each partition of
     * {@code minibatches} is one worker, which trains its minibatches on the executor's reusable
     * replica loaded with the broadcast state. The same broadcast, replica and aggregation as a
     * training round; used by {@code bench averaging}.
     */
    public static WeightedSum runOnMinibatches(JavaSparkContext sc, JavaRDD<MultiDataSet> minibatches,
                                               AlexNetConfig model, TrainConfig.Executor executor, ParameterState state,
                                               double lr, DoubleConsumer broadcastSeconds) {
        return broadcastAndAggregate(sc, state, broadcast -> minibatches.mapPartitionsWithIndex(
                new WorkerTask.OnMinibatches(model, executor, broadcast, lr), false), broadcastSeconds);
    }

    /** Keeps the partitions of one round: chunk = round * workers + worker. */
    private static final class RoundChunks extends AbstractFunction1<Object, Object> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final int workers;
        private final int round;

        RoundChunks(int workers, int round) {
            this.workers = workers;
            this.round = round;
        }

        @Override
        public Object apply(Object partition) {
            return (Integer) partition / workers == round;
        }
    }
}
