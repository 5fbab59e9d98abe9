package org.alexnet.predict;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.preprocessing.DatasetLayout;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The batch inference job's input as a DataFrame of {@code key} (string: what names the image
 * in the output), the image column and, for a preprocessed split, the true {@code label} and
 * {@code wnid}. Only file bytes are read here; images are decoded by the tasks that score them.
 *
 * @param rows      the rows
 * @param imageCol  the image column's name in {@code rows}
 * @param stored    true when the images are a preprocessed dataset's stored JPEGs
 * @param format    the format used (after auto-detection)
 * @param decoded   true when the rows hold decoded pixels (Spark's image source): they must not be shuffled
 */
record PredictInput(Dataset<Row> rows, String imageCol, boolean stored, InputFormat format, boolean decoded) {
    static final String KEY = "key";
    /** The images format's file name extensions (the formats preprocessing reads). */
    static final String IMAGE_GLOB = "*.{jpg,JPG,jpeg,JPEG,Jpeg,png,PNG,bmp,BMP,gif,GIF,webp,WEBP,tif,TIF,tiff,TIFF}";
    private static final List<String> KEY_CANDIDATES = List.of("key", "path", "origin", "id", "name");

    static PredictInput read(SparkSession spark, Config config) throws IOException {
        String input = config.get(PredictConfig.INPUT);
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(path)) {
            throw new IllegalArgumentException("predict.input: " + input + " does not exist");
        }
        InputFormat format = InputFormat.parse(config.get(PredictConfig.FORMAT));
        if (fs.exists(new Path(path, DatasetLayout.VAL)) && fs.exists(new Path(path, DatasetLayout.STATS))) {
            throw new IllegalArgumentException("predict.input: " + input + " is a whole preprocessed dataset; give "
                    + "one split: " + new Path(path, DatasetLayout.VAL) + " or " + new Path(path, DatasetLayout.TRAIN));
        }
        if (format == InputFormat.AUTO) {
            format = detect(spark, fs, path);
        }
        String glob = config.find(PredictConfig.GLOB).orElse(null);
        return switch (format) {
            case DATASET -> dataset(spark.read().parquet(input), input);
            case PARQUET -> parquet(spark.read().parquet(input), config);
            case IMAGES -> ImageFiles.read(spark, fs, fs.makeQualified(path), glob == null ? IMAGE_GLOB : glob,
                    config.get(PredictConfig.IMAGES_PER_TASK));
            case BINARY_FILE -> binaryFiles(spark, input, fs.makeQualified(path), glob);
            case IMAGE -> image(spark, input, fs.makeQualified(path), glob);
            case AUTO -> throw new IllegalStateException("detected");
        };
    }

    /** Parquet (a file, or a directory holding .parquet files) with the dataset's columns, other Parquet, or images. */
    private static InputFormat detect(SparkSession spark, FileSystem fs, Path path) throws IOException {
        boolean parquet = path.getName().endsWith(".parquet");
        if (!parquet && fs.getFileStatus(path).isDirectory()) {
            for (FileStatus f : fs.listStatus(path)) {
                parquet |= f.isFile() && f.getPath().getName().endsWith(".parquet");
            }
        }
        if (!parquet) {
            return InputFormat.IMAGES;
        }
        StructType schema = spark.read().parquet(path.toString()).schema();
        return isDataset(schema) ? InputFormat.DATASET : InputFormat.PARQUET;
    }

    private static boolean isDataset(StructType schema) {
        List<String> names = List.of(schema.fieldNames());
        return names.containsAll(List.of(DatasetLayout.KEY, DatasetLayout.JPEG, DatasetLayout.LABEL, DatasetLayout.WNID))
                && schema.apply(DatasetLayout.JPEG).dataType().equals(DataTypes.BinaryType);
    }

    private static PredictInput dataset(Dataset<Row> split, String input) {
        if (!isDataset(split.schema())) {
            throw new IllegalArgumentException("predict.format=dataset: " + input + " lacks a preprocessed split's "
                    + "columns (key, label, wnid, jpeg); its columns: " + String.join(", ", split.schema().fieldNames()));
        }
        return new PredictInput(split.select(DatasetLayout.KEY, DatasetLayout.LABEL, DatasetLayout.WNID,
                DatasetLayout.JPEG), DatasetLayout.JPEG, true, InputFormat.DATASET, false);
    }

    private static PredictInput parquet(Dataset<Row> table, Config config) {
        StructType schema = table.schema();
        String image = config.find(PredictConfig.IMAGE_COLUMN).orElseGet(() -> onlyBinaryColumn(schema));
        if (!List.of(schema.fieldNames()).contains(image)
                || !schema.apply(image).dataType().equals(DataTypes.BinaryType)) {
            throw new ConfigException("config key 'predict.image-column': '" + image + "' is not a binary column of "
                    + "the input (columns: " + schema.simpleString() + ")");
        }
        String key = config.find(PredictConfig.KEY_COLUMN).orElseGet(() -> KEY_CANDIDATES.stream()
                .filter(List.of(schema.fieldNames())::contains).findFirst().orElseThrow(() -> new ConfigException(
                        "config key 'predict.key-column': the input has none of the columns " + KEY_CANDIDATES
                                + " to name its images; set it (columns: " + String.join(", ", schema.fieldNames())
                                + ")")));
        if (!List.of(schema.fieldNames()).contains(key)) {
            throw new ConfigException("config key 'predict.key-column': no column '" + key + "' in the input");
        }
        List<Column> columns = new ArrayList<>(List.of(col(key).cast(DataTypes.StringType).as(KEY), col(image)));
        return new PredictInput(table.select(columns.toArray(Column[]::new)), image, false, InputFormat.PARQUET, false);
    }

    private static String onlyBinaryColumn(StructType schema) {
        List<String> binary = new ArrayList<>();
        for (StructField f : schema.fields()) {
            if (f.dataType().equals(DataTypes.BinaryType)) {
                binary.add(f.name());
            }
        }
        if (binary.size() != 1) {
            throw new ConfigException("config key 'predict.image-column': the input has " + binary.size()
                    + " binary columns " + binary + "; set which one holds the images");
        }
        return binary.get(0);
    }

    /** Spark's binaryFile source under a directory (recursively), keyed by the path below it. */
    private static PredictInput binaryFiles(SparkSession spark, String input, Path root, String glob) {
        Dataset<Row> files = recursive(spark, "binaryFile", glob).load(input);
        return new PredictInput(files.select(relativeKey(col("path"), root), col("content")), "content", false,
                InputFormat.BINARY_FILE, false);
    }

    private static PredictInput image(SparkSession spark, String input, Path root, String glob) {
        Dataset<Row> images = recursive(spark, "image", glob).load(input);
        return new PredictInput(images.select(relativeKey(col("image.origin"), root), col("image")), "image", false,
                InputFormat.IMAGE, true);
    }

    /** A reader of Spark's file source {@code format} that descends into directories, filtered by {@code glob} if set. */
    private static DataFrameReader recursive(SparkSession spark, String format, String glob) {
        DataFrameReader reader = spark.read().format(format).option("recursiveFileLookup", "true");
        return glob == null ? reader : reader.option("pathGlobFilter", glob);
    }

    /**
     * The path below the input directory, compared by URI path (Spark writes file:/x or file:///x
     * for the same file); the whole path when it is not below it (the input is a file).
     */
    private static Column relativeKey(Column path, Path root) {
        Column uriPath = regexp_replace(path, "^[a-zA-Z][a-zA-Z0-9+.-]*:(//[^/]*)?", "");
        String prefix = root.toUri().getPath().endsWith("/") ? root.toUri().getPath() : root.toUri().getPath() + "/";
        return when(uriPath.startsWith(prefix).and(length(uriPath).gt(lit(prefix.length()))),
                substring(uriPath, prefix.length() + 1, Integer.MAX_VALUE)).otherwise(path).as(KEY);
    }
}
