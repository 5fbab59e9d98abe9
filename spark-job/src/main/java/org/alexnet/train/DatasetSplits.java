package org.alexnet.train;

import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.train.data.Example;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;

/** Reads a split of a PreprocessImageNet dataset as examples (key, JPEG bytes, label). */
public final class DatasetSplits {
    private DatasetSplits() {
    }

    public static JavaRDD<Example> examples(SparkSession spark, String dataset, String split) {
        return spark.read().parquet(new Path(dataset, split).toString())
                .select(DatasetLayout.KEY, DatasetLayout.JPEG, DatasetLayout.LABEL)
                .javaRDD()
                .map(r -> new Example(r.getString(0), (byte[]) r.get(1), r.getInt(2)));
    }
}
