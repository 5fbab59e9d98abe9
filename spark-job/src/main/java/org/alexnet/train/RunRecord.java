package org.alexnet.train;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.alexnet.archive.BuildInfo;
import org.alexnet.archive.ClassName;
import org.alexnet.archive.ModelArchive;
import org.alexnet.archive.Provenance;
import org.alexnet.config.Config;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.DatasetStats;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every checkpoint and model of a training run carries besides its parameters: the
 * configuration, the dataset's class list and statistics, and the provenance (this build, the
 * dataset's identity, the runtime, how it was trained, times and metrics). Collected once when
 * the run starts.
 */
final class RunRecord {
    private static final Logger LOG = LoggerFactory.getLogger(RunRecord.class);

    private final AlexNetConfig model;
    private final Map<String, String> job;
    private final TrainConfig train;
    private final List<ClassName> classes;
    private final DatasetStats stats;
    private final Provenance.Dataset dataset;
    private final Provenance.Runtime runtime;
    private final Provenance.TrainedBy trainedBy;
    private final BuildInfo build = BuildInfo.current();
    private final String trainingStarted;
    private final String resumedFrom;

    private RunRecord(AlexNetConfig model, Config job, TrainConfig train, List<ClassName> classes, DatasetStats stats,
                      Provenance.Dataset dataset, Provenance.Runtime runtime, Provenance.TrainedBy trainedBy,
                      String trainingStarted, String resumedFrom) {
        this.model = model;
        this.job = Config.parsePropertiesText(job.toPropertiesText());
        this.train = train;
        this.classes = classes;
        this.stats = stats;
        this.dataset = dataset;
        this.runtime = runtime;
        this.trainedBy = trainedBy;
        this.trainingStarted = trainingStarted;
        this.resumedFrom = resumedFrom;
    }

    /** The record of a run on the dataset at {@code data}, fresh or resumed from a checkpoint. */
    static RunRecord start(SparkSession spark, Config job, Path data, DatasetStats stats,
                           CheckpointStore.Loaded resumed) throws IOException {
        FileSystem fs = data.getFileSystem(spark.sparkContext().hadoopConfiguration());
        List<ClassName> classes = spark.read().parquet(new Path(data, DatasetLayout.CLASSES).toString())
                .select(DatasetLayout.INDEX, DatasetLayout.WNID, DatasetLayout.NAME).collectAsList().stream()
                .map(r -> new ClassName(r.getInt(0), r.getString(1), r.isNullAt(2) ? "" : r.getString(2)))
                .sorted(Comparator.comparingInt(ClassName::index))
                .toList();
        TrainConfig train = TrainConfig.from(job);
        Provenance.Dataset dataset = new Provenance.Dataset(fs.makeQualified(data).toString(),
                manifestSha256(fs, new Path(data, DatasetLayout.MANIFEST)), classes.size(), stats.count());
        var nd4j = Nd4j.getExecutioner().getEnvironmentInformation();
        String build = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        Provenance.Runtime runtime = new Provenance.Runtime(
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.version"),
                BuildInfo.current().nd4jVersion(),
                nd4j.getProperty("backend", "unknown") + (build != null && build.contains("HAVE_ONEDNN") ? " (oneDNN)" : ""),
                spark.version());
        String devices = train.devices().isEmpty() ? "the GPUs Spark assigns to each task, else the CPU"
                : train.devices().stream().map(String::valueOf).collect(Collectors.joining(","));
        Provenance.TrainedBy trainedBy = new Provenance.TrainedBy(org.alexnet.config.ConfigKey.enumText(train.executor()), devices,
                train.workers(), spark.sparkContext().master(), spark.sparkContext().applicationId());
        RunRecord record = new RunRecord(AlexNetConfig.from(job), job, train, classes, stats, dataset, runtime,
                trainedBy, resumed == null ? Instant.now().toString() : resumed.state().trainingStarted(),
                resumed == null ? null : resumed.name());
        if (resumed != null) {
            record.warnIfAnotherDataset(resumed.provenance());
        }
        return record;
    }

    List<ClassName> classes() {
        return classes;
    }

    /** When training of this output began (kept across resumes). */
    String trainingStarted() {
        return trainingStarted;
    }

    /** A checkpoint: parameters, momentum and the state to resume from. */
    ModelArchive.Contents checkpoint(ComputationGraph graph, ResumeState state) {
        return new ModelArchive.Contents(ModelArchive.Kind.CHECKPOINT, graph, model, job, classes, stats,
                provenance(state.nextEpoch() - 1, state.metrics(), null), state);
    }

    /** The trained model, with the evaluation after the last epoch once it ran (else null). */
    ModelArchive.Contents model(ComputationGraph graph, List<MetricsLog.Epoch> epochs, TopKCounts finalEvaluation) {
        Provenance.Evaluation evaluation = finalEvaluation == null ? null
                : new Provenance.Evaluation(train.tenCropAtEnd() ? "10 views" : "centre crop", finalEvaluation.examples(),
                finalEvaluation.top1Error(), finalEvaluation.top5Error(), finalEvaluation.meanLoss());
        return new ModelArchive.Contents(ModelArchive.Kind.MODEL, graph, model, job, classes, stats,
                provenance(epochs.isEmpty() ? 0 : epochs.get(epochs.size() - 1).epoch(), epochs, evaluation), null);
    }

    private Provenance provenance(int epochsTrained, List<MetricsLog.Epoch> epochs, Provenance.Evaluation evaluation) {
        Provenance.EpochMetrics last = null;
        if (!epochs.isEmpty()) {
            MetricsLog.Epoch e = epochs.get(epochs.size() - 1);
            last = new Provenance.EpochMetrics(e.epoch(), e.trainLoss(), e.valLoss(), e.top1Error(), e.top5Error(),
                    e.learningRate());
        }
        return new Provenance(build.version(), build.gitCommit(), dataset, train.seed(), epochsTrained, last, evaluation,
                trainingStarted, Instant.now().toString(), resumedFrom, null, runtime, trainedBy);
    }

    /** A resumed run on another dataset (or one preprocessed again) continues, but says so. */
    private void warnIfAnotherDataset(Provenance saved) {
        if (saved != null && saved.dataset() != null
                && !saved.dataset().manifestSha256().equals(dataset.manifestSha256())) {
            LOG.warn("--resume: the dataset differs from the one the checkpoint was trained on (manifest SHA-256 {} "
                    + "at {}, now {} at {})", saved.dataset().manifestSha256(), saved.dataset().path(),
                    dataset.manifestSha256(), dataset.path());
        }
    }

    /** SHA-256 of the dataset's manifest.json (written last by the preprocessing job): the dataset's identity. */
    private static String manifestSha256(FileSystem fs, Path manifest) throws IOException {
        if (!fs.exists(manifest)) {
            return "unknown (no " + DatasetLayout.MANIFEST + ")";
        }
        try (InputStream in = fs.open(manifest)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
