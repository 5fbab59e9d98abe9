package org.alexnet.predict;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enough tasks for scoring: an input read into few partitions (a small Parquet file, a few
 * hundred images) would keep one core busy and the progress still until the end. Inference
 * costs far more per image than moving its file bytes, so such an input is repartitioned to
 * one task per {@code imagesPerTask} images, and at least one per core. Pass only rows of
 * file bytes: decoded pixels must not be shuffled.
 */
public final class TaskSpread {
    private static final Logger LOG = LoggerFactory.getLogger(TaskSpread.class);

    private TaskSpread() {
    }

    /** The rows, repartitioned when they have fewer partitions than that. */
    public static Dataset<Row> spread(Dataset<Row> rows, long total, int imagesPerTask) {
        int have = rows.rdd().getNumPartitions();
        long want = Math.min(total, Math.max(rows.sparkSession().sparkContext().defaultParallelism(),
                (total + imagesPerTask - 1) / imagesPerTask));
        if (want <= have) {
            return rows;
        }
        LOG.info("{} input partitions for {} images: repartitioned to {} tasks", have, total, want);
        return rows.repartition((int) Math.min(want, Integer.MAX_VALUE));
    }
}
