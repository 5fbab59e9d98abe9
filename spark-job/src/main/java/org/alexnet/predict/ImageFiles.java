package org.alexnet.predict;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.alexnet.preprocessing.SerializableHadoopConf;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The images format: a directory tree listed on the driver (names matching the glob; hidden
 * names starting with '.' or '_' skipped, as preprocessing skips them), one task per
 * images-per-task files, each task reading its files' bytes. Unlike Spark's binaryFile source
 * it keeps empty files, so they are reported as unreadable rather than silently missing.
 */
final class ImageFiles {
    private static final StructType SCHEMA = new StructType()
            .add(PredictInput.KEY, DataTypes.StringType, false)
            .add("content", DataTypes.BinaryType, true);

    private ImageFiles() {
    }

    static PredictInput read(SparkSession spark, FileSystem fs, Path root, String glob, int imagesPerTask)
            throws IOException {
        GlobFilter names = new GlobFilter(glob);
        List<Row> files = new ArrayList<>();
        if (fs.getFileStatus(root).isFile()) {
            files.add(RowFactory.create(root.getName(), root.toString()));
        } else {
            String prefix = root.toUri().getPath() + "/";
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
            while (it.hasNext()) {
                Path p = it.next().getPath();
                String key = p.toUri().getPath().substring(prefix.length());
                if (names.accept(p) && !hidden(key)) {
                    files.add(RowFactory.create(key, p.toString()));
                }
            }
        }
        files.sort(java.util.Comparator.comparing(r -> r.getString(0)));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int tasks = (int) Math.max(1, Math.min(files.size(), Math.max(sc.defaultParallelism(),
                ((long) files.size() + imagesPerTask - 1) / imagesPerTask)));
        StructType listing = new StructType().add(PredictInput.KEY, DataTypes.StringType).add("path", DataTypes.StringType);
        Dataset<Row> paths = spark.createDataFrame(sc.parallelize(files, tasks), listing);
        Dataset<Row> contents = paths.mapPartitions(new ReadBytes(new SerializableHadoopConf(
                spark.sparkContext().hadoopConfiguration())), Encoders.row(SCHEMA));
        return new PredictInput(contents, "content", false, InputFormat.IMAGES, false);
    }

    private static boolean hidden(String key) {
        for (String part : key.split("/")) {
            if (part.startsWith(".") || part.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    /** (key, path) to (key, the file's bytes), on the executor; null bytes when the file cannot be read. */
    private static final class ReadBytes implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final SerializableHadoopConf conf;

        ReadBytes(SerializableHadoopConf conf) {
            this.conf = conf;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    Row r = rows.next();
                    Path path = new Path(r.getString(1));
                    try (InputStream in = path.getFileSystem(conf.get()).open(path)) {
                        return RowFactory.create(r.getString(0), in.readAllBytes());
                    } catch (IOException e) {
                        return RowFactory.create(r.getString(0), null);
                    }
                }
            };
        }
    }
}
