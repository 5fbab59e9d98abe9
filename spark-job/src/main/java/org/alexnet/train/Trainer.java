package org.alexnet.train;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.alexnet.archive.ModelArchive;
import org.alexnet.config.Config;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.training.LearningRateSchedule;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.train.averaging.AveragedRound;
import org.alexnet.train.averaging.RoundTraffic;
import org.alexnet.train.data.Example;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's loop: per epoch, shuffle the training set once into rounds x workers chunks;
 * per round, broadcast parameters and momentum, let every worker train its chunk, average
 * parameters AND momentum weighted by examples (by shards on the executors, see
 * {@link org.alexnet.train.averaging.ShardedAverage}); per epoch, evaluate on the
 * validation set (centre crop), step the learning-rate schedule, log metrics and curves, and
 * checkpoint. Data flows one way: driver to executors (state), executors to driver (results).
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final SparkSession spark;
    private final JavaSparkContext sc;
    private final Config jobConfig;
    private final AlexNetConfig model;
    private final TrainConfig train;
    private final Path data;
    private final Path output;
    private final FileSystem outFs;
    private final CheckpointStore checkpoints;
    /** The checkpoint a resumed run continues from; empty for a new run or when there is none yet. */
    private final Optional<CheckpointStore.Loaded> latest;
    private final boolean resume;
    /** What every checkpoint and model of this run carries; set when {@link #run} starts. */
    private RunRecord record;

    /**
     * Opens the checkpoint to resume from (with {@code resume}), then reads the dataset's class
     * count and completes the job's configuration with it and with every model key written out as
     * derived ({@link #configuration()}). A checkpoint that cannot be read fails here, before any
     * work on the dataset.
     *
     * @throws org.alexnet.config.ConfigException when model.classes is set and the dataset disagrees
     */
    public Trainer(SparkSession spark, Config jobConfig, String dataDir, String outputDir, boolean resume)
            throws IOException {
        this.spark = spark;
        this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.data = new Path(dataDir);
        this.output = new Path(outputDir);
        this.outFs = output.getFileSystem(sc.hadoopConfiguration());
        this.resume = resume;
        DatasetLayout.requireComplete(data.getFileSystem(sc.hadoopConfiguration()), data);
        this.checkpoints = new CheckpointStore(output, sc.hadoopConfiguration(),
                TrainConfig.from(jobConfig).checkpointKeep());
        this.latest = resume ? checkpoints.latest() : Optional.empty();
        this.jobConfig = AlexNetConfig.complete(DatasetClasses.apply(jobConfig, DatasetClasses.count(spark, data), data));
        this.model = AlexNetConfig.from(this.jobConfig);
        this.train = TrainConfig.from(this.jobConfig);
    }

    /** The job's configuration as trained: the dataset's class count and the model's derived keys written out. */
    public Config configuration() {
        return jobConfig;
    }

    /** What a finished run leaves behind. */
    public record Result(ComputationGraph graph, List<MetricsLog.Epoch> epochs, TopKCounts finalEvaluation,
                         String finalModel) {
    }

    /**
     * Trains, top to bottom like pytorch/examples' ImageNet main: start (a new net, or the
     * checkpoint's net, schedule, metrics and place in the epoch), then per epoch its rounds,
     * the validation, the schedule's step and a checkpoint; then the final model and evaluation.
     */
    public Result run() throws IOException {
        DatasetStats stats = DatasetStats.read(spark, data.toString());
        // the class count was checked against the dataset when the configuration was completed
        record = RunRecord.start(spark, jobConfig, data, stats, latest.orElse(null));
        MetricsLog metrics = new MetricsLog(outFs, output);
        LearningRateSchedule schedule = train.newSchedule(model.learningRate(), model.classes());
        ResumeState start = latest.isPresent() ? resume(latest.get(), schedule, metrics) : startAfresh();
        ComputationGraph graph = latest.map(CheckpointStore.Loaded::graph).orElseGet(() -> AlexNet.build(model));
        ParameterState state = ParameterState.of(graph);
        Rounds rounds = rounds(stats, state.bytes());

        for (int epoch = start.nextEpoch(); epoch <= train.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            boolean resumed = epoch == start.nextEpoch();
            // a run resumed mid-epoch continues that epoch's rounds and training loss
            EpochLoss loss = resumed ? new EpochLoss(start.epochLossSum(), start.epochImages()) : new EpochLoss(0, 0);
            state = trainEpoch(rounds, epoch, resumed ? start.nextRound() : 0, state, loss, graph, schedule, metrics);

            state.loadInto(graph);
            TopKCounts val = rounds.evaluator().centreCrop(state);
            double lr = schedule.learningRate();
            if (schedule.epochEnded(epoch, val.top1Error())) {
                LOG.info("epoch {}: validation error stopped improving; learning rate {} -> {}", epoch, lr,
                        schedule.learningRate());
            }
            metrics.add(new MetricsLog.Epoch(epoch, loss.mean(), val.meanLoss(), val.top1Error(), val.top5Error(), lr,
                    loss.images, (System.nanoTime() - epochStart) / 1e9));
            LOG.info("epoch {}/{} done: train loss {}, validation {}, {}", epoch, train.epochs(),
                    String.format("%.4f", loss.images == 0 ? 0 : loss.mean()), val, schedule.describe());
            checkpoint(graph, new ResumeState(epoch + 1, 0, 0, 0, schedule.state(), metrics.epochs(),
                    record.trainingStarted()));
        }

        rounds.traffic().close(sc);
        state.loadInto(graph);
        // published before the final evaluation, so a failure there keeps the trained model
        String finalModel = saveFinalModel(graph, metrics, null);
        TopKCounts last = train.tenCropAtEnd() ? rounds.evaluator().tenCrop(state) : rounds.evaluator().centreCrop(state);
        LOG.info("final evaluation ({}): {}", train.tenCropAtEnd() ? "10 views" : "centre crop", last);
        saveFinalModel(graph, metrics, last);
        return new Result(graph, metrics.epochs(), last, finalModel);
    }

    /** What the epochs share: the training set, rounds per epoch, the round runner and the evaluator. */
    private record Rounds(JavaRDD<Example> trainSet, int perEpoch, RoundRunner runner, RoundTraffic traffic,
                          Evaluator evaluator, ProgressLine progress) {
    }

    /** The training loss of an epoch so far: the sum over its rounds of mean loss x examples, and the examples. */
    private static final class EpochLoss {
        private double sum;
        private long images;

        EpochLoss(double sum, long images) {
            this.sum = sum;
            this.images = images;
        }

        void add(AveragedRound round) {
            sum += round.meanLoss() * round.examples();
            images += round.examples();
        }

        double mean() {
            return images == 0 ? Double.NaN : sum / images;
        }
    }

    /** A new run: refuses an output that holds another run's checkpoints (unless --resume found none to read). */
    private ResumeState startAfresh() throws IOException {
        if (resume) {
            LOG.info("--resume: no checkpoint under {}, starting from scratch", output);
        } else if (outFs.exists(new Path(output, CheckpointStore.DIR))) {
            // with --resume, a checkpoint directory without a complete checkpoint (a first attempt
            // that died before or while writing one) is a run to start over
            throw new IOException("output " + output + " already holds checkpoints: use --resume to continue that "
                    + "run, or choose another --output");
        }
        return new ResumeState(1, 0, 0, 0, Map.of(), List.of(), record.trainingStarted());
    }

    /** The checkpoint's run: the same configuration, its schedule and metrics restored; where it resumes. */
    private ResumeState resume(CheckpointStore.Loaded c, LearningRateSchedule schedule, MetricsLog metrics) {
        requireSameRun(c.jobConfig());
        ResumeState s = c.state();
        schedule.restore(s.schedule());
        metrics.restore(s.metrics());
        LOG.info("resuming from {}: epoch {}, round {}, {}", c.name(), s.nextEpoch(), s.nextRound(),
                schedule.describe());
        return s;
    }

    private Rounds rounds(DatasetStats stats, long stateBytes) {
        JavaRDD<Example> trainSet = DatasetSplits.examples(spark, data.toString(), DatasetLayout.TRAIN);
        long trainImages = trainSet.count();
        int perEpoch = EpochPlan.roundsFor(trainImages, train.workers(), train.batchSize(), train.averagingFrequency());
        Broadcast<DatasetStats> statsBroadcast = sc.broadcast(stats);
        LOG.info("training {} images: {} workers x batch {} x {} minibatches per round = {} rounds per epoch, "
                        + "{} epochs, executor {}", trainImages, train.workers(), train.batchSize(),
                train.averagingFrequency(), perEpoch, train.epochs(), train.executor());
        RoundTransport.requireRoomFor(sc.getConf(), stateBytes);
        return new Rounds(trainSet, perEpoch, new RoundRunner(sc, model, train, statsBroadcast), RoundTraffic.install(sc),
                new Evaluator(sc, model, train, statsBroadcast,
                        DatasetSplits.examples(spark, data.toString(), DatasetLayout.VAL)),
                new ProgressLine(train.epochs(), perEpoch, stateBytes));
    }

    /**
     * The epoch's rounds from {@code firstRound}: every worker trains its chunk, the states are
     * averaged; a checkpoint every {@code train.checkpoint.every-rounds} rounds within the epoch.
     *
     * @return the averaged state after the epoch's last round
     */
    private ParameterState trainEpoch(Rounds rounds, int epoch, int firstRound, ParameterState state, EpochLoss loss,
                                      ComputationGraph graph, LearningRateSchedule schedule, MetricsLog metrics)
            throws IOException {
        EpochPlan plan = new EpochPlan(epoch, rounds.perEpoch(), train.workers(), train.seed());
        JavaPairRDD<Long, Example> epochData = plan.chunks(rounds.trainSet()).persist(StorageLevel.MEMORY_AND_DISK_SER());
        for (int round = firstRound; round < rounds.perEpoch(); round++) {
            long t0 = System.nanoTime();
            int r = round;
            ParameterState current = state;
            RoundTraffic.Measured<AveragedRound> measured = rounds.traffic().measure(sc,
                    "epoch " + epoch + " round " + (r + 1),
                    () -> rounds.runner().run(epochData, plan, r, current, schedule.learningRate()));
            AveragedRound average = measured.value();
            if (average.nonFinite()) {
                throw new NonFiniteLossException(epoch, round + 1, rounds.perEpoch());
            }
            state = average.state();
            loss.add(average);
            rounds.progress().round(epoch, round, average, measured.figures(), (System.nanoTime() - t0) / 1e9,
                    schedule.learningRate());
            boolean due = train.checkpointRounds() > 0 && (round + 1) % train.checkpointRounds() == 0;
            if (due && round + 1 < rounds.perEpoch()) {
                state.loadInto(graph);
                checkpoint(graph, new ResumeState(epoch, round + 1, loss.sum, loss.images, schedule.state(),
                        metrics.epochs(), record.trainingStarted()));
            }
        }
        epochData.unpersist(false);
        return state;
    }

    /** Writes a checkpoint: the graph with its momentum, the job configuration and where training resumes. */
    private void checkpoint(ComputationGraph graph, ResumeState resumeAt) throws IOException {
        checkpoints.write(record.checkpoint(graph, resumeAt), resumeAt);
    }

    /**
     * OUTPUT/model.zip: the network, the job configuration, what classify needs (class names,
     * dataset statistics) and the provenance, with the final evaluation once it ran.
     */
    private String saveFinalModel(ComputationGraph graph, MetricsLog metrics, TopKCounts finalEvaluation)
            throws IOException {
        Path target = new Path(output, ModelArchive.MODEL_FILE);
        ModelArchive.publish(record.model(graph, metrics.epochs(), finalEvaluation), outFs, target);
        LOG.info("{} {}", target, finalEvaluation == null ? "published (before the final evaluation)"
                : "updated with the final evaluation");
        return target.toString();
    }

    /**
     * A resumed run must be the same run: the same model and the same value of every training key
     * that decides the result (all but the {@link org.alexnet.config.ConfigKey#operational()} ones).
     */
    private void requireSameRun(Config saved) {
        AlexNetConfig savedModel = AlexNetConfig.from(saved);
        if (!savedModel.equals(model)) {
            throw new org.alexnet.config.ConfigException("--resume: the checkpoint's model configuration differs "
                    + "from this run's (model.* keys): " + savedModel + " vs " + model);
        }
        List<String> changed = new java.util.ArrayList<>();
        for (org.alexnet.config.ConfigKey<?> key : TrainConfig.TRAIN_SCHEMA.keys()) {
            if (!key.isOperational() && saved.schema().contains(key.name())
                    && !java.util.Objects.equals(saved.find(key), jobConfig.find(key))) {
                changed.add(key.name() + " (checkpoint " + saved.find(key).map(Object::toString).orElse("unset")
                        + ", this run " + jobConfig.find(key).map(Object::toString).orElse("unset") + ")");
            }
        }
        if (!changed.isEmpty()) {
            throw new org.alexnet.config.ConfigException("--resume: these keys decide the result and must match the "
                    + "checkpoint's: " + String.join(", ", changed));
        }
    }
}
