package org.alexnet.train;

import java.io.IOException;
import java.util.List;
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
    /** What every checkpoint and model of this run carries; set when {@link #run} starts. */
    private RunRecord record;

    public Trainer(SparkSession spark, Config jobConfig, String dataDir, String outputDir) throws IOException {
        this.spark = spark;
        this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.jobConfig = jobConfig;
        this.model = AlexNetConfig.from(jobConfig);
        this.train = TrainConfig.from(jobConfig);
        this.data = new Path(dataDir);
        this.output = new Path(outputDir);
        this.outFs = output.getFileSystem(sc.hadoopConfiguration());
    }

    /** What a finished run leaves behind. */
    public record Result(ComputationGraph graph, List<MetricsLog.Epoch> epochs, TopKCounts finalEvaluation,
                         String finalModel) {
    }

    public Result run(boolean resume) throws IOException {
        DatasetLayout.requireComplete(data.getFileSystem(sc.hadoopConfiguration()), data);
        // a checkpoint that cannot be read fails the run before any work on the dataset
        CheckpointStore checkpoints = new CheckpointStore(output, sc.hadoopConfiguration(), train.checkpointKeep());
        Optional<CheckpointStore.Loaded> latest = resume ? checkpoints.latest() : Optional.empty();
        DatasetStats stats = DatasetStats.read(spark, data.toString());
        record = RunRecord.start(spark, jobConfig, data, stats, latest.orElse(null));
        long classes = record.classes().size();
        if (classes != model.classes()) {
            throw new org.alexnet.config.ConfigException("config key 'model.classes' is " + model.classes()
                    + " but the dataset " + data + " has " + classes + " classes");
        }
        MetricsLog metrics = new MetricsLog(outFs, output);
        LearningRateSchedule schedule = train.newSchedule(model.learningRate());

        ComputationGraph graph;
        int startEpoch = 1;
        int startRound = 0;
        double resumedLossSum = 0;
        long resumedImages = 0;
        if (resume && latest.isEmpty()) {
            LOG.info("--resume: no checkpoint under {}, starting from scratch", output);
        }
        if (latest.isPresent()) {
            CheckpointStore.Loaded c = latest.get();
            requireSameRun(c.jobConfig());
            graph = c.graph();
            ResumeState s = c.state();
            startEpoch = s.nextEpoch();
            startRound = s.nextRound();
            resumedLossSum = s.epochLossSum();
            resumedImages = s.epochImages();
            schedule.restore(s.schedule());
            metrics.restore(s.metrics());
            LOG.info("resuming from {}: epoch {}, round {}, {}", c.name(), startEpoch, startRound, schedule.describe());
        } else {
            // with --resume, a checkpoint directory without a complete checkpoint (a first attempt
            // that died before or while writing one) is a run to start over
            if (!resume && outFs.exists(new Path(output, CheckpointStore.DIR))) {
                throw new IOException("output " + output + " already holds checkpoints: use --resume to continue that "
                        + "run, or choose another --output");
            }
            graph = AlexNet.build(model);
        }
        ParameterState state = ParameterState.of(graph);

        JavaRDD<Example> trainSet = DatasetSplits.examples(spark, data.toString(), DatasetLayout.TRAIN);
        long trainImages = trainSet.count();
        int rounds = EpochPlan.roundsFor(trainImages, train.workers(), train.batchSize(), train.averagingFrequency());
        Broadcast<DatasetStats> statsBroadcast = sc.broadcast(stats);
        LOG.info("training {} images: {} workers x batch {} x {} minibatches per round = {} rounds per epoch, "
                        + "{} epochs, executor {}", trainImages, train.workers(), train.batchSize(),
                train.averagingFrequency(), rounds, train.epochs(), train.executor());

        RoundTransport.requireRoomFor(sc.getConf(), state.bytes());
        RoundRunner runner = new RoundRunner(sc, model, train, statsBroadcast);
        RoundTraffic traffic = RoundTraffic.install(sc);
        Evaluator evaluator = new Evaluator(sc, model, train, statsBroadcast,
                DatasetSplits.examples(spark, data.toString(), DatasetLayout.VAL));
        ProgressLine progress = new ProgressLine(train.epochs(), rounds, state.bytes());
        for (int epoch = startEpoch; epoch <= train.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            EpochPlan plan = new EpochPlan(epoch, rounds, train.workers(), train.seed());
            JavaPairRDD<Long, Example> epochData = plan.chunks(trainSet).persist(StorageLevel.MEMORY_AND_DISK_SER());
            // a run resumed mid-epoch continues that epoch's loss from the checkpoint
            double lossSum = epoch == startEpoch ? resumedLossSum : 0;
            long images = epoch == startEpoch ? resumedImages : 0;
            for (int round = epoch == startEpoch ? startRound : 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                int r = round;
                ParameterState current = state;
                RoundTraffic.Measured<AveragedRound> measured = traffic.measure(sc, "epoch " + epoch + " round " + (r + 1),
                        () -> runner.run(epochData, plan, r, current, schedule.learningRate()));
                AveragedRound average = measured.value();
                if (average.nonFinite()) {
                    throw new NonFiniteLossException(epoch, round + 1, rounds);
                }
                state = average.state();
                lossSum += average.meanLoss() * average.examples();
                images += average.examples();
                progress.round(epoch, round, average, measured.figures(), (System.nanoTime() - t0) / 1e9,
                        schedule.learningRate());
                if (train.checkpointRounds() > 0 && (round + 1) % train.checkpointRounds() == 0 && round + 1 < rounds) {
                    state.loadInto(graph);
                    checkpoint(checkpoints, graph, epoch, round + 1, schedule, metrics, lossSum, images);
                }
            }
            epochData.unpersist(false);

            state.loadInto(graph);
            TopKCounts val = evaluator.centreCrop(state);
            double lr = schedule.learningRate();
            if (schedule.epochEnded(epoch, val.top1Error())) {
                LOG.info("epoch {}: validation error stopped improving; learning rate {} -> {}", epoch, lr,
                        schedule.learningRate());
            }
            metrics.add(new MetricsLog.Epoch(epoch, images == 0 ? Double.NaN : lossSum / images, val.meanLoss(),
                    val.top1Error(), val.top5Error(), lr, images, (System.nanoTime() - epochStart) / 1e9));
            LOG.info("epoch {}/{} done: train loss {}, validation {}, {}", epoch, train.epochs(),
                    String.format("%.4f", lossSum / Math.max(1, images)), val, schedule.describe());
            checkpoint(checkpoints, graph, epoch + 1, 0, schedule, metrics, 0, 0);
        }

        traffic.close(sc);
        state.loadInto(graph);
        // published before the final evaluation, so a failure there keeps the trained model
        String finalModel = saveFinalModel(graph, metrics, null);
        TopKCounts last = train.tenCropAtEnd() ? evaluator.tenCrop(state) : evaluator.centreCrop(state);
        LOG.info("final evaluation ({}): {}", train.tenCropAtEnd() ? "10 views" : "centre crop", last);
        saveFinalModel(graph, metrics, last);
        return new Result(graph, metrics.epochs(), last, finalModel);
    }

    private void checkpoint(CheckpointStore store, ComputationGraph graph, int nextEpoch, int nextRound,
                            LearningRateSchedule schedule, MetricsLog metrics, double epochLossSum, long epochImages)
            throws IOException {
        ResumeState s = new ResumeState(nextEpoch, nextRound, epochLossSum, epochImages, schedule.state(),
                metrics.epochs(), record.trainingStarted());
        store.write(record.checkpoint(graph, s), s);
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
