package org.alexnet.predict;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.DatasetPublisher;
import org.alexnet.preprocessing.ProgressMonitor;
import org.alexnet.spark.SparkSerialization;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch inference job: a trained model's top-k classes (and, with {@code --features}, its
 * fc7 features) for every image of an input, as Parquet.
 * <pre>
 *   spark-submit --class PredictAlexNet JAR --model DIR --input PATH --output DIR [--ten-crop] [--features]
 *   deploy/alexnet predict --model DIR --input PATH --output DIR [--ten-crop] [--features]
 * </pre>
 * Input ({@code --format}, default auto): a preprocessed dataset's split (DATA/val: stored
 * JPEGs; the true label and wnid are carried to the output and the top-1/top-5 error printed), a
 * directory tree of image files, Parquet with a column of image bytes, or Spark's binaryFile or
 * image data source. Output rows: {@code key} (the file's path below the input, or the key
 * column), [{@code label}, {@code wnid}], {@code predictions} (array of struct index, wnid,
 * name, probability, best first), [{@code features}: array of 4096 floats, fc7 of both
 * columns], {@code error} (null, or why the image could not be read: never fatal). The output
 * appears whole or not at all, with {@code _alexnet-predict.json} (configuration, model, counts,
 * time) and {@code _SUCCESS} written last. Scoring runs in {@link AlexNetModel}. Exit codes: 0
 * done, 1 the job failed, 2 bad options, input or model.
 */
public final class PredictAlexNet {
    private static final Logger LOG = LoggerFactory.getLogger(PredictAlexNet.class);
    /** The output's manifest (skipped by Parquet readers: it starts with '_'). */
    public static final String MANIFEST = "_alexnet-predict.json";
    static final String PREDICTIONS = "predictions";
    static final String FEATURES = "features";
    static final String ERROR = "error";

    /** What a run did. */
    public record Summary(String output, long images, long unreadable, double seconds, String format,
                          Double top1Error, Double top5Error) {
        double imagesPerSecond() {
            return images / Math.max(seconds, 1e-9);
        }
    }

    private PredictAlexNet() {
    }

    public static void main(String[] args) {
        System.exit(run(args, null, System.out, System.err));
    }

    /**
     * Runs the job and returns the exit code.
     *
     * @param spark the session to use, or null to get or create one (master from spark-submit or -Dspark.master)
     */
    public static int run(String[] args, SparkSession spark, PrintStream out, PrintStream err) {
        if (PredictConfig.USAGE.printIfAsked(args, out)) {
            return 0;
        }
        Config config;
        try {
            config = PredictConfig.fromCommandLine(args);
        } catch (ConfigException e) {
            err.println("predict: " + e.getMessage());
            err.println(PredictConfig.USAGE.synopsis());
            return 2;
        }
        LOG.info("predict configuration:\n{}", config.render());
        boolean own = spark == null;
        // the project's Kryo registrator when the cluster's serializer is Kryo
        SparkSession session = own ? SparkSession.builder()
                .config(SparkSerialization.apply(new SparkConf().setAppName("PredictAlexNet"))).getOrCreate() : spark;
        try {
            Summary s = predict(session, config);
            out.printf("predicted %,d images (%,d unreadable, reasons in the '%s' column) in %s: %.2f images/s%n",
                    s.images(), s.unreadable(), ERROR, ProgressMonitor.duration(s.seconds()), s.imagesPerSecond());
            if (s.top1Error() != null) {
                out.printf("against the split's labels: top-1 error %.2f%%, top-5 error %.2f%%%n",
                        100 * s.top1Error(), 100 * s.top5Error());
            }
            out.println("output: " + s.output());
            return 0;
        } catch (IllegalArgumentException | ConfigException | java.io.FileNotFoundException e) {
            err.println("predict: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            LOG.error("predict failed", e);
            err.println("predict failed: " + e);
            return 1;
        } finally {
            if (own) {
                session.stop();
            }
        }
    }

    /** Scores the configured input and publishes the output. */
    public static Summary predict(SparkSession spark, Config config) throws IOException {
        long t0 = System.nanoTime();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path output = new Path(config.get(PredictConfig.OUTPUT));
        FileSystem fs = output.getFileSystem(hadoop);
        DatasetPublisher publisher = new DatasetPublisher(fs, output, config.get(PredictConfig.OVERWRITE),
                UUID.randomUUID().toString().substring(0, 8));
        publisher.check(new Path(config.get(PredictConfig.INPUT)));
        ModelRef model = ModelRef.of(config.get(PredictConfig.MODEL), hadoop);
        PredictInput input = PredictInput.read(spark, config);
        boolean features = config.get(PredictConfig.FEATURES);
        AlexNetModel alexnet = new AlexNetModel().setModelPath(model.path()).setInputCol(input.imageCol())
                .setPreprocessed(input.stored()).setTenCrop(config.get(PredictConfig.TEN_CROP))
                .setBatchSize(config.get(PredictConfig.BATCH_SIZE)).setTopK(config.get(PredictConfig.TOP))
                .setOutputCol(PREDICTIONS).setFeaturesCol(features ? FEATURES : "").setErrorCol(ERROR);
        long total = input.rows().count();
        LOG.info("predict: {} images ({} input), model {}", total, input.format().id, model.path());
        Dataset<Row> rows = input.decoded() ? input.rows() // pixels are never shuffled
                : TaskSpread.spread(input.rows(), total, config.get(PredictConfig.IMAGES_PER_TASK));
        Dataset<Row> scored = alexnet.transform(rows).select(outputColumns(input, features));

        Path staging = publisher.begin();
        try {
            try (PredictProgress progress = new PredictProgress(spark, total,
                    config.get(PredictConfig.PROGRESS_INTERVAL))) {
                scored.write().mode(SaveMode.Overwrite).parquet(staging.toString());
                progress.report();
            }
            fs.delete(new Path(staging, DatasetLayout.SUCCESS), false); // ours comes last, after the manifest
            Summary summary = summarize(spark, staging, output, input, total, (System.nanoTime() - t0) / 1e9);
            publisher.publish(MANIFEST, manifest(config, model, summary));
            return summary;
        } catch (IOException | RuntimeException e) {
            publisher.abandon();
            throw e;
        }
    }

    private static Column[] outputColumns(PredictInput input, boolean features) {
        List<Column> columns = new ArrayList<>(List.of(col(PredictInput.KEY)));
        if (input.stored()) {
            columns.add(col(DatasetLayout.LABEL));
            columns.add(col(DatasetLayout.WNID));
        }
        columns.add(col(PREDICTIONS));
        if (features) {
            // float32 arrays: half the size of Spark ML's double vectors, and readable by any Parquet reader
            columns.add(when(col(FEATURES).isNotNull(),
                    org.apache.spark.ml.functions.vector_to_array(col(FEATURES), "float32")).as(FEATURES));
        }
        columns.add(col(ERROR));
        return columns.toArray(Column[]::new);
    }

    private static Summary summarize(SparkSession spark, Path written, Path output, PredictInput input, long total,
                                     double seconds) {
        Dataset<Row> result = spark.read().parquet(written.toString());
        long unreadable = result.where(col(ERROR).isNotNull()).count();
        Double top1 = null;
        Double top5 = null;
        if (input.stored()) {
            Row r = result.where(col(ERROR).isNull()).agg(
                    expr("avg(if(" + PREDICTIONS + "[0].index = label, 0D, 1D))"),
                    expr("avg(if(exists(slice(" + PREDICTIONS + ", 1, 5), p -> p.index = label), 0D, 1D))")).first();
            top1 = r.isNullAt(0) ? null : r.getDouble(0);
            top5 = r.isNullAt(1) ? null : r.getDouble(1);
        }
        return new Summary(output.toString(), total, unreadable, seconds, input.format().id, top1, top5);
    }

    private static String manifest(Config config, ModelRef model, Summary s) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", "predict");
        m.put("model", Map.of("path", model.path(), "bytes", model.length(), "modified", model.modified()));
        m.put("inputFormat", s.format());
        m.put("images", s.images());
        m.put("unreadable", s.unreadable());
        m.put("seconds", s.seconds());
        m.put("imagesPerSecond", s.imagesPerSecond());
        if (s.top1Error() != null) {
            m.put("top1Error", s.top1Error());
            m.put("top5Error", s.top5Error());
        }
        m.put("configuration", Config.parsePropertiesText(config.toPropertiesText()));
        return new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(m);
    }
}
