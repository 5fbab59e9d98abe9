package org.alexnet.train.averaging;

import org.apache.spark.ContextCleaner;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Option;

/**
 * Removes a round's averaging shuffle as soon as the round has its average. Each round writes
 * every worker's whole state (0.49 GB for the full model) to its executor's local disk; Spark
 * would otherwise keep those files until the driver's garbage collector happens to collect the
 * round's RDDs (spark.cleaner.periodicGC.interval, 30 minutes by default), by which time hundreds
 * of rounds could fill the disks. Uses Spark's own cleaner (the path it takes on GC).
 */
final class ShuffleFiles {
    private ShuffleFiles() {
    }

    static void remove(JavaSparkContext sc, ShuffleDependency<?, ?, ?> shuffle) {
        Option<ContextCleaner> cleaner = sc.sc().cleaner();
        if (cleaner.isDefined()) {
            cleaner.get().doCleanupShuffle(shuffle.shuffleId(), false);
        }
    }
}
