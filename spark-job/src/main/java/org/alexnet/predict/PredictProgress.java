package org.alexnet.predict;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.alexnet.preprocessing.ProgressMonitor;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs images done / total, rate and ETA at a fixed interval while the inference job writes its
 * output. The driver cannot see inside tasks: it counts the rows that successfully finished
 * tasks wrote (Spark's output metrics, reported at each task end), so the count moves a task at
 * a time (predict.images-per-task).
 */
final class PredictProgress extends SparkListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PredictProgress.class);

    private final SparkSession spark;
    private final long total;
    private final AtomicLong done = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer;

    PredictProgress(SparkSession spark, long total, int intervalSeconds) {
        this.spark = spark;
        this.total = total;
        spark.sparkContext().addSparkListener(this);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "predict-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::report, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.reason() == Success$.MODULE$ && end.taskMetrics() != null) {
            done.addAndGet(end.taskMetrics().outputMetrics().recordsWritten());
        }
    }

    /** Images written so far. */
    long done() {
        return done.get();
    }

    void report() {
        long n = done.get();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = n / Math.max(seconds, 1e-9);
        String eta = n == 0 ? "unknown" : ProgressMonitor.duration((total - n) / Math.max(rate, 1e-9));
        LOG.info(String.format("predict: %,d / %,d images (%.1f%%), %.2f images/s, ETA %s", n, total,
                100.0 * n / Math.max(total, 1), rate, eta));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        spark.sparkContext().removeSparkListener(this);
    }
}
