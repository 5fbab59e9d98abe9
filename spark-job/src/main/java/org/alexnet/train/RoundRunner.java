package org.alexnet.train;

import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.train.averaging.AveragedRound;
import org.alexnet.train.averaging.ShardPlan;
import org.alexnet.train.averaging.ShardedAverage;
import org.alexnet.train.data.Example;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.PartitionPruningRDD;
import scala.Tuple2;
import scala.runtime.AbstractFunction1;

/**
 * One round on the cluster: broadcast the state, run one task per worker on that worker's
 * records, and average the workers' states by shards ({@link ShardedAverage}). Training rounds
 * read exactly the round's chunks of the cached epoch data ({@link #run}); the averaging
 * benchmark and the exactness tests run the same round on minibatches in memory
 * ({@link #runOn}), so they time and test the production code.
 */
public final class RoundRunner {
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

    AveragedRound run(JavaPairRDD<Long, Example> epochData, EpochPlan plan, int round, ParameterState state, double lr) {
        JavaRDD<Tuple2<Long, Example>> chunks =
                PartitionPruningRDD.create(epochData.rdd(), new RoundChunks(plan.workers(), round)).toJavaRDD();
        return runOn(sc, chunks, model, train, state, lr, new EpochChunks(model, train, stats, plan, round),
                "epoch " + plan.epoch() + " round " + (round + 1), seconds -> { });
    }

    /**
     * One round in which partition w of {@code records} is worker w's input: broadcast
     * {@code state}, train every worker from it on its minibatches, return the average. The
     * broadcast is destroyed afterwards; {@code broadcastSeconds} receives the driver's time to
     * create it (Spark serialises and stores its blocks then).
     */
    public static <T> AveragedRound runOn(JavaSparkContext sc, JavaRDD<T> records, AlexNetConfig model,
                                          TrainConfig train, ParameterState state, double lr,
                                          MinibatchSource<T> source, String label,
                                          java.util.function.DoubleConsumer broadcastSeconds) {
        ShardPlan shards = ShardPlan.auto(state.size(), state.params().valueBytes(), records.getNumPartitions(),
                train.averagingShards());
        long t0 = System.nanoTime();
        Broadcast<ParameterState> broadcast = sc.broadcast(state);
        broadcastSeconds.accept((System.nanoTime() - t0) / 1e9);
        try {
            WorkerTask<T> task = new WorkerTask<>(model, train, broadcast, lr, shards, source, label);
            return ShardedAverage.average(sc, records.mapPartitionsWithIndex(task, false), shards);
        } finally {
            // blocking: a non-blocking removal still running when the broadcast object is
            // collected races with Spark's ContextCleaner removing the same pieces (an ERROR in the
            // log, "Block broadcast_N_pieceK does not exist"), and the next round's state would
            // briefly sit next to this one's
            broadcast.destroy(true);
        }
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
