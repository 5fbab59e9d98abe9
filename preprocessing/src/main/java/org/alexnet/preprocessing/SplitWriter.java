package org.alexnet.preprocessing;

import static org.apache.spark.sql.functions.col;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * Processes one split (train/ or val/) in one Spark job: files are read and transformed in input
 * partitions, rows are shuffled by a seeded random key, sorted by it within each output partition,
 * and written as Parquet. Adaptive query execution coalesces the shuffle partitions to the target
 * file size, measured on the actual JPEG bytes. For train, the pixel sums of the mean image and
 * the RGB covariance are collected in the same pass.
 */
final class SplitWriter {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SplitWriter.class);
    static final String ORDER = "_order";

    /** train/ and val/ schema. */
    static final StructType IMAGE_SCHEMA = new StructType()
            .add(DatasetLayout.KEY, DataTypes.StringType, false)
            .add(DatasetLayout.LABEL, DataTypes.IntegerType, false)
            .add(DatasetLayout.WNID, DataTypes.StringType, false)
            .add(DatasetLayout.JPEG, DataTypes.BinaryType, false)
            .add(DatasetLayout.HEIGHT, DataTypes.IntegerType, false)
            .add(DatasetLayout.WIDTH, DataTypes.IntegerType, false);

    private static final StructType ROW_SCHEMA = IMAGE_SCHEMA.add(ORDER, DataTypes.LongType, false);

    /** What a split's job produced. */
    record Result(List<Rejection> rejections, PixelSums pixelSums, long millis) {
    }

    private final SparkSession spark;
    private final PreprocessSettings settings;
    private final LongAccumulator processed;
    private final LongAccumulator rejected;

    SplitWriter(SparkSession spark, PreprocessSettings settings, LongAccumulator processed, LongAccumulator rejected) {
        this.spark = spark;
        this.settings = settings;
        this.processed = processed;
        this.rejected = rejected;
    }

    Result write(String split, List<ImageEntry> entries, Path dir, boolean withStats) {
        long start = System.currentTimeMillis();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        PixelSumsAccumulator sums = null;
        if (withStats) {
            sums = new PixelSumsAccumulator();
            spark.sparkContext().register(sums, split + " pixel sums");
        }
        CollectionAccumulator<Rejection> rejections = spark.sparkContext().collectionAccumulator(split + " rejections");
        int slices = Math.max(1, (int) Math.ceil(entries.size() / (double) settings.imagesPerTask()));
        PartitionProcessor processor = new PartitionProcessor(split, settings,
                new SerializableHadoopConf(spark.sparkContext().hadoopConfiguration()), sums, rejections, processed, rejected);
        JavaRDD<Row> rows = jsc.parallelize(entries, slices).mapPartitionsWithIndex(processor, true);
        spark.sparkContext().setJobDescription("preprocess " + split + ": " + entries.size() + " files");

        long targetBytes = settings.targetFileMb() * 1024L * 1024L;
        long inputBytes = entries.stream().mapToLong(ImageEntry::size).sum();
        // An upper bound for the shuffle partitions; AQE merges them down to ~targetBytes each.
        long initial = Math.min(100_000, Math.max(jsc.defaultParallelism(), 2 * (inputBytes / targetBytes) + 1));
        LOG.info("{}: {} files ({} MB) in {} tasks, up to {} output partitions of ~{} MiB", split, entries.size(),
                inputBytes >> 20, slices, initial, settings.targetFileMb());
        Map<String, String> previous = setConf(Map.of(
                "spark.sql.adaptive.enabled", "true",
                "spark.sql.adaptive.coalescePartitions.enabled", "true",
                "spark.sql.adaptive.coalescePartitions.parallelismFirst", "false",
                "spark.sql.adaptive.advisoryPartitionSizeInBytes", Long.toString(targetBytes),
                "spark.sql.shuffle.partitions", Long.toString(initial)));
        try {
            Dataset<Row> df = spark.createDataFrame(rows, ROW_SCHEMA)
                    .repartition(col(ORDER))
                    .sortWithinPartitions(ORDER)
                    .drop(ORDER);
            df.write()
                    .option("parquet.block.size", Long.toString(targetBytes))   // one row group per file
                    .parquet(dir.toString());
        } finally {
            setConf(previous);
            spark.sparkContext().setJobDescription(null);
        }
        // Rejections are reported through an accumulator: drop repeats from re-run tasks.
        Map<String, Rejection> unique = new LinkedHashMap<>();
        for (Rejection r : rejections.value()) unique.putIfAbsent(r.key(), r);
        return new Result(List.copyOf(unique.values()), sums == null ? null : sums.value(),
                System.currentTimeMillis() - start);
    }

    private Map<String, String> setConf(Map<String, String> values) {
        RuntimeConfig conf = spark.conf();
        Map<String, String> previous = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            previous.put(k, conf.getOption(k).isDefined() ? conf.get(k) : null);
            if (v == null) conf.unset(k);
            else conf.set(k, v);
        });
        return previous;
    }
}
