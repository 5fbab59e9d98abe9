package org.alexnet.train;

import java.io.IOException;
import java.util.Map;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetLayout;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The class count comes from the dataset: {@code model.classes} left unset takes the number of
 * rows of the dataset's {@code classes/} table; set, it must agree with it.
 */
final class DatasetClasses {
    private DatasetClasses() {
    }

    /** The number of classes of a complete dataset made by PreprocessImageNet. */
    static int count(SparkSession spark, Path data) throws IOException {
        DatasetLayout.requireComplete(data.getFileSystem(spark.sparkContext().hadoopConfiguration()), data);
        return Math.toIntExact(spark.read().parquet(new Path(data, DatasetLayout.CLASSES).toString()).count());
    }

    /**
     * The job's configuration with {@code model.classes} set to the dataset's count.
     *
     * @throws ConfigException naming the key when the configuration sets another count
     */
    static Config apply(Config job, int datasetClasses, Path data) {
        job.find(AlexNetConfig.CLASSES).filter(set -> set != datasetClasses).ifPresent(set -> {
            throw new ConfigException("config key 'model.classes' is " + set + " but the dataset " + data + " has "
                    + datasetClasses + " classes (leave model.classes unset to take the dataset's)");
        });
        return job.with(Map.of(AlexNetConfig.CLASSES.name(), Integer.toString(datasetClasses)));
    }
}
