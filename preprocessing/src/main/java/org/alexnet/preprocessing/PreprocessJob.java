package org.alexnet.preprocessing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigKey;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The preprocessing job: list the input, write train/ (with the pixel statistics from the same
 * pass), val/, stats/, classes/, rejected/ into a staging directory, check the rejected share,
 * publish, and write the manifest and _SUCCESS last.
 */
public final class PreprocessJob {
    private static final Logger LOG = LoggerFactory.getLogger(PreprocessJob.class);
    private static final int REJECTIONS_LOGGED = 20;

    static final StructType CLASSES_SCHEMA = new StructType()
            .add(DatasetLayout.INDEX, DataTypes.IntegerType, false)
            .add(DatasetLayout.WNID, DataTypes.StringType, false)
            .add(DatasetLayout.NAME, DataTypes.StringType, true);
    static final StructType REJECTED_SCHEMA = new StructType()
            .add(DatasetLayout.SPLIT, DataTypes.StringType, false)
            .add(DatasetLayout.KEY, DataTypes.StringType, false)
            .add(DatasetLayout.REASON, DataTypes.StringType, false);

    /** What a successful run produced. */
    public record Summary(Path output, Map<String, Long> stored, List<Rejection> rejections, DatasetStats stats,
                          String manifestJson) {
    }

    private PreprocessJob() {
    }

    /**
     * Runs the job.
     *
     * @throws IllegalArgumentException   bad input or output (before any work)
     * @throws PreprocessFailedException  too many rejected files (nothing published)
     */
    public static Summary run(SparkSession spark, Config config) throws IOException {
        PreprocessSettings s = PreprocessSettings.of(config);
        long t0 = System.currentTimeMillis();
        Path input = new Path(s.input());
        Path output = new Path(s.output());
        FileSystem inFs = input.getFileSystem(spark.sparkContext().hadoopConfiguration());
        FileSystem outFs = output.getFileSystem(spark.sparkContext().hadoopConfiguration());
        DatasetPublisher publisher = new DatasetPublisher(outFs, output, s.overwrite(),
                Instant.now().toEpochMilli() + "-" + UUID.randomUUID().toString().substring(0, 8));
        publisher.check(input);

        InputCatalog catalog = InputCatalog.scan(inFs, input, s);
        long listed = System.currentTimeMillis();
        LOG.info("JPEG codec on the driver: {}", NativeJpeg.describe());
        LOG.info("input {}: {} classes, {} train files, {} val files (val labels: {}); listed in {}",
                input, catalog.classes().size(), catalog.train().size(), catalog.val().size(), catalog.valLabelling(),
                ProgressMonitor.duration((listed - t0) / 1000.0));

        Path staging = publisher.begin();
        try {
            return produce(spark, s, config, catalog, publisher, staging, t0, listed);
        } catch (IOException | RuntimeException | Error e) {
            publisher.abandon();
            throw e;
        }
    }

    private static Summary produce(SparkSession spark, PreprocessSettings s, Config config, InputCatalog catalog,
                                   DatasetPublisher publisher, Path staging, long t0, long listed) throws IOException {
        LongAccumulator processed = spark.sparkContext().longAccumulator("preprocess processed files");
        LongAccumulator rejectedCount = spark.sparkContext().longAccumulator("preprocess rejected files");
        long total = catalog.train().size() + catalog.val().size();
        SplitWriter writer = new SplitWriter(spark, s, processed, rejectedCount);
        List<Rejection> rejections = new ArrayList<>();
        Map<String, Long> stored = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        seconds.put("listing", (listed - t0) / 1000.0);
        DatasetStats stats;
        try (ProgressMonitor progress = new ProgressMonitor(processed, rejectedCount, total, s.progressIntervalSeconds())) {
            progress.phase(DatasetLayout.TRAIN);
            SplitWriter.Result train = writer.write(DatasetLayout.TRAIN, catalog.train(), new Path(staging, DatasetLayout.TRAIN), true);
            rejections.addAll(train.rejections());
            checkRejected(DatasetLayout.TRAIN, catalog.train().size(), train.rejections(), s.maxRejectedFraction());
            seconds.put(DatasetLayout.TRAIN, train.millis() / 1000.0);
            stats = train.pixelSums().finish();
            if (!catalog.val().isEmpty()) {
                progress.phase(DatasetLayout.VAL);
                SplitWriter.Result val = writer.write(DatasetLayout.VAL, catalog.val(), new Path(staging, DatasetLayout.VAL), false);
                rejections.addAll(val.rejections());
                checkRejected(DatasetLayout.VAL, catalog.val().size(), val.rejections(), s.maxRejectedFraction());
                seconds.put(DatasetLayout.VAL, val.millis() / 1000.0);
            }
            progress.report();
        }
        long metaStart = System.currentTimeMillis();
        writeSmallTables(spark, staging, stats, catalog.classes(), rejections);
        stored.put(DatasetLayout.TRAIN, countAndVerify(spark, staging, DatasetLayout.TRAIN, catalog.train().size(), rejections));
        if (!catalog.val().isEmpty()) {
            stored.put(DatasetLayout.VAL, countAndVerify(spark, staging, DatasetLayout.VAL, catalog.val().size(), rejections));
        }
        if (stats.count() != stored.get(DatasetLayout.TRAIN)) {
            throw new IllegalStateException("statistics cover " + stats.count() + " images but train/ holds "
                    + stored.get(DatasetLayout.TRAIN));
        }
        seconds.put("tables", (System.currentTimeMillis() - metaStart) / 1000.0);
        seconds.put("total", (System.currentTimeMillis() - t0) / 1000.0);
        String manifest = manifest(spark, s, config, catalog, stored, rejections, stats, seconds);
        publisher.publish(manifest);
        logSummary(publisher, s, catalog, stored, rejections, stats, seconds);
        return new Summary(new Path(s.output()), stored, rejections, stats, manifest);
    }

    private static void checkRejected(String split, int files, List<Rejection> rejected, double maxFraction) {
        if (rejected.isEmpty()) return;
        int shown = Math.min(REJECTIONS_LOGGED, rejected.size());
        for (Rejection r : rejected.subList(0, shown)) {
            LOG.warn("rejected {}: {}", r.key(), r.reason());
        }
        if (rejected.size() > shown) {
            LOG.warn("... and {} more rejected {} files (all are listed in {}/)", rejected.size() - shown, split, DatasetLayout.REJECTED);
        }
        double share = rejected.size() / (double) files;
        if (share > maxFraction) {
            throw new PreprocessFailedException(String.format(
                    "%d of %d %s files (%.2f%%) were rejected, more than preprocess.max-rejected-fraction = %s; "
                            + "first: %s: %s", rejected.size(), files, split, 100 * share, maxFraction,
                    rejected.get(0).key(), rejected.get(0).reason()));
        }
    }

    private static void writeSmallTables(SparkSession spark, Path staging, DatasetStats stats, ClassIndex classes,
                                         List<Rejection> rejections) {
        spark.createDataFrame(List.of(stats.toRow()), DatasetStats.SCHEMA).coalesce(1)
                .write().parquet(new Path(staging, DatasetLayout.STATS).toString());
        List<Row> classRows = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) {
            String wnid = classes.wnids().get(i);
            classRows.add(RowFactory.create(i, wnid, classes.name(wnid)));
        }
        spark.createDataFrame(classRows, CLASSES_SCHEMA).coalesce(1)
                .write().parquet(new Path(staging, DatasetLayout.CLASSES).toString());
        List<Row> rejectedRows = rejections.stream().map(r -> RowFactory.create(r.split(), r.key(), r.reason())).toList();
        spark.createDataFrame(rejectedRows, REJECTED_SCHEMA).coalesce(1)
                .write().parquet(new Path(staging, DatasetLayout.REJECTED).toString());
    }

    /** Counts the rows written (Parquet metadata only) and checks them against the listing. */
    private static long countAndVerify(SparkSession spark, Path staging, String split, int files, List<Rejection> rejections) {
        long rows = spark.read().parquet(new Path(staging, split).toString()).count();
        long rejected = rejections.stream().filter(r -> r.split().equals(split)).count();
        if (rows + rejected != files) {
            throw new IllegalStateException(split + "/: " + rows + " rows stored + " + rejected + " rejected != "
                    + files + " input files");
        }
        return rows;
    }

    private static String manifest(SparkSession spark, PreprocessSettings s, Config config, InputCatalog catalog,
                                   Map<String, Long> stored, List<Rejection> rejections, DatasetStats stats,
                                   Map<String, Double> seconds) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "alexnet-preprocessed/1");
        m.put("created", Instant.now().toString());
        m.put("input", s.input());
        m.put("output", s.output());
        m.put("spark_version", spark.version());
        m.put("classes", catalog.classes().size());
        m.put("val_labels", catalog.valLabelling());
        Map<String, Object> counts = new LinkedHashMap<>();
        for (String split : stored.keySet()) {
            int files = split.equals(DatasetLayout.TRAIN) ? catalog.train().size() : catalog.val().size();
            counts.put(split, Map.of("files", files, "stored", stored.get(split), "rejected",
                    rejections.stream().filter(r -> r.split().equals(split)).count()));
        }
        m.put("counts", counts);
        m.put("rejected", rejections.size());
        m.put("stats", Map.of("count", stats.count(), "rgb_mean", stats.rgbMean(), "eigenvalues", stats.eigenvalues()));
        m.put("timings_seconds", seconds);
        Map<String, String> conf = new LinkedHashMap<>();
        for (ConfigKey<?> key : config.schema().keys()) {
            conf.put(key.name(), config.find(key).map(Object::toString).orElse(""));
        }
        m.put("config", conf);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
    }

    private static void logSummary(DatasetPublisher publisher, PreprocessSettings s, InputCatalog catalog,
                                   Map<String, Long> stored, List<Rejection> rejections, DatasetStats stats,
                                   Map<String, Double> seconds) {
        long files = catalog.train().size() + catalog.val().size();
        double processing = seconds.getOrDefault(DatasetLayout.TRAIN, 0.0) + seconds.getOrDefault(DatasetLayout.VAL, 0.0);
        LOG.info(String.format("done: %s stored, %d rejected of %,d files, %d classes, in %s (%.1f images/s); "
                        + "RGB mean (%.2f, %.2f, %.2f), PCA eigenvalues (%.2f, %.3f, %.3f); dataset at %s",
                stored, rejections.size(), files, catalog.classes().size(), ProgressMonitor.duration(seconds.get("total")),
                files / Math.max(processing, 1e-9), stats.rgbMean()[0], stats.rgbMean()[1], stats.rgbMean()[2],
                stats.eigenvalues()[0], stats.eigenvalues()[1], stats.eigenvalues()[2], s.output()));
    }
}
