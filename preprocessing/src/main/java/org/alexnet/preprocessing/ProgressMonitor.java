package org.alexnet.preprocessing;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs images done / total, rate and ETA at a fixed interval while the job runs. It polls
 * accumulators on the driver, which Spark updates as tasks finish, so the count moves in steps of
 * {@code preprocess.images-per-task}.
 */
public final class ProgressMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressMonitor.class);

    private final LongAccumulator processed;
    private final LongAccumulator rejected;
    private final long total;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer;
    private volatile String phase = "starting";

    ProgressMonitor(LongAccumulator processed, LongAccumulator rejected, long total, int intervalSeconds) {
        this.processed = processed;
        this.rejected = rejected;
        this.total = total;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "preprocess-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::report, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
    }

    void phase(String name) {
        phase = name;
    }

    void report() {
        long done = processed.value();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        String eta = done == 0 ? "unknown" : duration((total - done) / Math.max(rate, 1e-9));
        LOG.info(String.format("%s: %,d / %,d images (%.1f%%), %.1f images/s, ETA %s, %,d rejected",
                phase, done, total, 100.0 * done / Math.max(total, 1), rate, eta, rejected.value()));
    }

    /** "42s", "3m07s", "2h05m". */
    public static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
