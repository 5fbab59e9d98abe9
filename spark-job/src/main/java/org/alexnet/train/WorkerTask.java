package org.alexnet.train;

import java.util.Iterator;
import java.util.List;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.train.MinibatchSource.Minibatches;
import org.alexnet.train.averaging.FlatArray;
import org.alexnet.train.averaging.ShardPlan;
import org.alexnet.train.averaging.ShardedAverage;
import org.alexnet.train.averaging.StatePiece;
import org.alexnet.train.averaging.WorkerStats;
import org.alexnet.train.data.Minibatch;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;
import scala.Tuple2;

/**
 * One worker's part of a round, run as a Spark task on an executor: borrow the executor's model
 * replica, load the broadcast parameters and momentum, train on this worker's minibatches, and
 * hand the trained state to the averaging shuffle as one piece per shard
 * ({@link ShardedAverage#pieces}), with the number of examples, the loss and the data-wait versus
 * compute time. The pieces are read from the replica while Spark writes them, so the replica
 * goes back to the executor's pool when the task ends.
 *
 * @param <T> the records of the worker's partition ({@link MinibatchSource})
 */
public final class WorkerTask<T> implements Function2<Integer, Iterator<T>, Iterator<Tuple2<Integer, StatePiece>>> {
    private static final long serialVersionUID = 2L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WorkerTask.class);

    private final AlexNetConfig model;
    private final TrainConfig train;
    private final Broadcast<ParameterState> state;
    private final double learningRate;
    private final ShardPlan shards;
    private final MinibatchSource<T> source;
    private final String label;

    /**
     * @param label what the executor's log line calls this task's work, e.g. "epoch 3 round 7"
     */
    public WorkerTask(AlexNetConfig model, TrainConfig train, Broadcast<ParameterState> state, double learningRate,
                      ShardPlan shards, MinibatchSource<T> source, String label) {
        this.model = model;
        this.train = train;
        this.state = state;
        this.learningRate = learningRate;
        this.shards = shards;
        this.source = source;
        this.label = label;
    }

    @Override
    public Iterator<Tuple2<Integer, StatePiece>> call(Integer worker, Iterator<T> records) {
        List<Integer> devices = train.taskDevices();
        WorkerModel replica = WorkerModels.borrow(model, train.executor(), devices);
        Runnable giveBack = () -> WorkerModels.giveBack(replica, train.executor(), devices);
        TaskContext task = TaskContext.get();
        if (task == null) {
            throw new IllegalStateException("a worker runs as a Spark task");
        }
        task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) context -> giveBack.run());
        replica.load(state.value(), learningRate);
        replica.reseed(source.dropoutSeed(worker));
        long count = 0;
        long minibatches = 0;
        double lossSum = 0;
        double wait = 0;
        double compute = 0;
        try (Minibatches batches = source.open(worker, records)) {
            while (batches.hasNext()) {
                Minibatch batch = batches.next();
                wait += batch.waitSeconds();
                long t0 = System.nanoTime();
                double loss = replica.fit(batch.features(), batch.labels());
                compute += (System.nanoTime() - t0) / 1e9;
                lossSum += loss * batch.size();
                count += batch.size();
                minibatches++;
            }
        }
        // on the executor's log: which executor trained which worker's chunk (a cluster's operators look here)
        LOG.info("{}: worker {} trained {} images on executor {} ({})", label, worker, count,
                org.apache.spark.SparkEnv.get().executorId(), TaskDevices.describe(devices));
        INDArray[] trained = replica.trainedVectors();
        WorkerStats stats = new WorkerStats(worker, count, minibatches, lossSum, wait, compute);
        return ShardedAverage.pieces(shards, stats, (from, to) -> FlatArray.view(trained[0], from, to),
                (from, to) -> FlatArray.view(trained[1], from, to));
    }
}
