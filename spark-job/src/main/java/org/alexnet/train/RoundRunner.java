package org.alexnet.train;

import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.train.data.Example;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.PartitionPruningRDD;
import scala.Tuple2;
import scala.runtime.AbstractFunction1;

/**
 * One round on the cluster: broadcast the state, run one task per worker on exactly that
 * round's chunks of the cached epoch data, and aggregate the workers' results in a tree.
 */
final class RoundRunner {
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
        Broadcast<ParameterState> broadcast = sc.broadcast(state);
        try {
            PartitionPruningRDD<Tuple2<Long, Example>> chunks =
                    PartitionPruningRDD.create(epochData.rdd(), new RoundChunks(plan.workers(), round));
            WorkerTask task = new WorkerTask(model, train, broadcast, stats, plan, round, lr);
            return chunks.toJavaRDD()
                    .mapPartitionsWithIndex(task, false)
                    .treeAggregate(new WeightedSum(), WeightedSum::add, WeightedSum::merge, 2);
        } finally {
            broadcast.destroy();
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
