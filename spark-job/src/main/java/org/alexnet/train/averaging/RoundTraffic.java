package org.alexnet.train.averaging;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

/**
 * What Spark saw of each round, from its listener events: the bytes the driver received (every
 * task result of the round's jobs, direct or fetched from an executor's block manager, and the
 * averaged shards the driver read from block managers, which the averaging reports with a
 * {@link BlocksRead} event) and the wall time of the workers' stage and of the shard stage. The
 * round's jobs are recognised by the local property {@link #ROUND} that {@link #measure} sets
 * around them.
 */
public final class RoundTraffic extends SparkListener {
    /** Local property naming the round a job belongs to. */
    public static final String ROUND = "alexnet.round";

    private final Map<Integer, String> stageRound = new HashMap<>();
    private final Map<String, Totals> rounds = new HashMap<>();

    /** A round's figures. */
    public record Figures(long driverInboundBytes, int tasks, double workerStageSeconds, double shardStageSeconds,
                          double slowestResultFetchSeconds, double dataStageSeconds, double slowestPieceWriteSeconds) {
    }

    /** Listens on {@code sc} until {@link #close}. */
    public static RoundTraffic install(JavaSparkContext sc) {
        RoundTraffic t = new RoundTraffic();
        sc.sc().addSparkListener(t);
        return t;
    }

    public void close(JavaSparkContext sc) {
        sc.sc().removeSparkListener(this);
    }

    /**
     * Runs {@code round} with its jobs tagged as {@code name}, then waits (up to 10 s) for Spark's
     * listener bus to deliver their events and returns the round's figures.
     */
    public <T> Measured<T> measure(JavaSparkContext sc, String name, java.util.function.Supplier<T> round) {
        String previous = sc.getLocalProperty(ROUND);
        sc.setLocalProperty(ROUND, name);
        T value;
        try {
            value = round.get();
        } finally {
            sc.setLocalProperty(ROUND, previous);
        }
        try {
            sc.sc().listenerBus().waitUntilEmpty(10_000);
        } catch (TimeoutException e) {
            // figures of a busy bus may be incomplete; the round itself is done
        }
        synchronized (this) {
            Totals t = rounds.remove(name);
            stageRound.values().removeIf(name::equals);
            return new Measured<>(value, t == null ? new Figures(0, 0, 0, 0, 0, 0, 0) : t.figures());
        }
    }

    /** The driver read {@code bytes} of averaged shards from block managers during round {@code round}. */
    public record BlocksRead(String round, long bytes) implements org.apache.spark.scheduler.SparkListenerEvent {
        @Override
        public boolean logEvent() {
            return false; // not for Spark's event log
        }
    }

    @Override
    public synchronized void onOtherEvent(org.apache.spark.scheduler.SparkListenerEvent event) {
        if (event instanceof BlocksRead read && read.round() != null) {
            Totals t = rounds.get(read.round());
            if (t != null) {
                t.inbound += read.bytes();
            }
        }
    }

    /** A round's value and Spark's figures of it. */
    public record Measured<T>(T value, Figures figures) {
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart job) {
        String name = job.properties() == null ? null : job.properties().getProperty(ROUND);
        if (name != null) {
            rounds.computeIfAbsent(name, n -> new Totals());
            for (Object stage : scala.collection.JavaConverters.seqAsJavaList(job.stageIds())) {
                stageRound.put((Integer) stage, name);
            }
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        Totals t = totals(end.stageId());
        if (t != null && end.taskMetrics() != null) {
            t.inbound += end.taskMetrics().resultSize();
            t.tasks++;
            // the workers' pieces written to the shuffle (a worker task's write time; other tasks write none)
            t.pieceWrite = Math.max(t.pieceWrite, end.taskMetrics().shuffleWriteMetrics().writeTime() / 1e9);
            if (end.taskInfo().gettingResultTime() > 0) {
                t.fetch = Math.max(t.fetch, (end.taskInfo().finishTime() - end.taskInfo().gettingResultTime()) / 1e3);
            }
        }
    }

    @Override
    public synchronized void onStageCompleted(SparkListenerStageCompleted completed) {
        StageInfo info = completed.stageInfo();
        Totals t = totals(info.stageId());
        if (t == null || info.submissionTime().isEmpty() || info.completionTime().isEmpty()) {
            return;
        }
        double seconds = ((Long) info.completionTime().get() - (Long) info.submissionTime().get()) / 1e3;
        if (info.shuffleDepId().isEmpty()) {
            t.shardStage += seconds; // the result stage: shards averaged and sent to the driver
        } else {
            t.mapStages.put((Long) info.submissionTime().get(), seconds);
        }
    }

    private Totals totals(int stage) {
        String name = stageRound.get(stage);
        return name == null ? null : rounds.get(name);
    }

    private static final class Totals {
        long inbound;
        int tasks;
        double shardStage;
        double fetch;
        double pieceWrite;
        /** Map stages by submission time: the last is the workers'; an epoch's first round shuffles its data first. */
        final java.util.TreeMap<Long, Double> mapStages = new java.util.TreeMap<>();

        Figures figures() {
            double worker = mapStages.isEmpty() ? 0 : mapStages.lastEntry().getValue();
            double data = mapStages.values().stream().mapToDouble(Double::doubleValue).sum() - worker;
            return new Figures(inbound, tasks, worker, shardStage, fetch, data, pieceWrite);
        }
    }
}
