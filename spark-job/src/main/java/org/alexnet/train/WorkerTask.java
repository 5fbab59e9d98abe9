package org.alexnet.train;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.train.data.AugmentationSettings;
import org.alexnet.train.data.ChunkId;
import org.alexnet.train.data.Example;
import org.alexnet.train.data.Minibatch;
import org.alexnet.train.data.MinibatchStream;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.Tuple2;

/**
 * One worker's part of a round, run as a Spark task on an executor: borrow the executor's model
 * replica, load the broadcast parameters and momentum, train on this worker's chunk of the
 * epoch (minibatches decoded and augmented in background threads), and return the trained
 * state with the number of examples, the loss and the data-wait versus compute time.
 */
final class WorkerTask implements Function2<Integer, Iterator<Tuple2<Long, Example>>, Iterator<WorkerResult>> {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WorkerTask.class);

    private final AlexNetConfig model;
    private final TrainConfig train;
    private final Broadcast<ParameterState> state;
    private final Broadcast<DatasetStats> stats;
    private final EpochPlan plan;
    private final int round;
    private final double learningRate;

    WorkerTask(AlexNetConfig model, TrainConfig train, Broadcast<ParameterState> state, Broadcast<DatasetStats> stats,
               EpochPlan plan, int round, double learningRate) {
        this.model = model;
        this.train = train;
        this.state = state;
        this.stats = stats;
        this.plan = plan;
        this.round = round;
        this.learningRate = learningRate;
    }

    @Override
    public Iterator<WorkerResult> call(Integer worker, Iterator<Tuple2<Long, Example>> chunk) {
        List<Integer> devices = train.taskDevices();
        WorkerModel replica = WorkerModels.borrow(model, train.executor(), devices);
        try {
            replica.load(state.value(), learningRate);
            ChunkId id = new ChunkId(plan.epoch(), round, worker);
            // dropout masks: seeded per (seed, epoch, round, worker), whatever ran before on this JVM
            replica.reseed(EpochPlan.mix(train.seed() ^ EpochPlan.mix(id.hashCode() * 31L + 7)));
            AugmentationSettings augmentation = new AugmentationSettings(model.inputSize(), true, train.lightingStd(),
                    train.seed());
            Iterator<Example> examples = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return chunk.hasNext();
                }

                @Override
                public Example next() {
                    return chunk.next()._2();
                }
            };
            long count = 0;
            long minibatches = 0;
            double lossSum = 0;
            double wait = 0;
            double compute = 0;
            int threads = train.decodeThreads() > 0 ? train.decodeThreads() : Runtime.getRuntime().availableProcessors();
            try (MinibatchStream stream = new MinibatchStream(examples, train.batchSize(), model.classes(), augmentation,
                    stats.value(), id, threads, train.prefetch())) {
                while (stream.hasNext()) {
                    Minibatch batch = stream.next();
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
            LOG.info("epoch {} round {}: worker {} trained {} images on executor {} ({})", plan.epoch(), round + 1,
                    worker, count, org.apache.spark.SparkEnv.get().executorId(), TaskDevices.describe(devices));
            return Collections.singletonList(new WorkerResult(worker, replica.state(), count, minibatches, lossSum,
                    wait, compute)).iterator();
        } finally {
            WorkerModels.giveBack(replica, train.executor(), devices);
        }
    }

    /**
     * A worker's part of a round on in-memory minibatches (the averaging benchmark): the same
     * replica pool, state loading and training step as a training round, without the JPEG input
     * pipeline.
     */
    static final class OnMinibatches implements Function2<Integer, Iterator<MultiDataSet>, Iterator<WorkerResult>> {
        private static final long serialVersionUID = 1L;

        private final AlexNetConfig model;
        private final TrainConfig.Executor executor;
        private final Broadcast<ParameterState> state;
        private final double learningRate;

        OnMinibatches(AlexNetConfig model, TrainConfig.Executor executor, Broadcast<ParameterState> state,
                      double learningRate) {
            this.model = model;
            this.executor = executor;
            this.state = state;
            this.learningRate = learningRate;
        }

        @Override
        public Iterator<WorkerResult> call(Integer worker, Iterator<MultiDataSet> batches) {
            List<Integer> devices = TaskDevices.current();
            WorkerModel replica = WorkerModels.borrow(model, executor, devices);
            try {
                replica.load(state.value(), learningRate);
                replica.reseed(EpochPlan.mix(model.seed() * 31L + worker));
                long count = 0;
                long minibatches = 0;
                double lossSum = 0;
                double compute = 0;
                while (batches.hasNext()) {
                    MultiDataSet batch = batches.next();
                    long t0 = System.nanoTime();
                    double loss = replica.fit(batch.getFeatures(0), batch.getLabels(0));
                    compute += (System.nanoTime() - t0) / 1e9;
                    long size = batch.getFeatures(0).size(0);
                    lossSum += loss * size;
                    count += size;
                    minibatches++;
                }
                return Collections.singletonList(new WorkerResult(worker, replica.state(), count, minibatches, lossSum,
                        0, compute)).iterator();
            } finally {
                WorkerModels.giveBack(replica, executor, devices);
            }
        }
    }
}
