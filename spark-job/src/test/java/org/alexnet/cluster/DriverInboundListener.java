package org.alexnet.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.storage.BlockUpdatedInfo;
import org.apache.spark.storage.TaskResultBlockId;

/**
 * The test's own account of what a training job's driver receives per round, from Spark's
 * events alone (spark.extraListeners): every task result of the round's jobs (Spark's
 * resultSize), plus every task-result block stored in an executor's block manager by one of
 * the round's successful tasks (what the driver reads from there). Rounds are the jobs tagged with the
 * local property "alexnet.round". At the end of the application it writes one line per round,
 * "round TAB bytes", to the file named by spark.alexnet.it.inbound-file.
 */
public final class DriverInboundListener extends SparkListener {
    private final Path file;
    private final Map<Integer, String> stageRound = new HashMap<>();
    private final Map<Long, String> taskRound = new HashMap<>();
    private final Map<Long, Long> resultBlockBytes = new HashMap<>();
    private final Map<String, Long> resultBytes = new TreeMap<>();

    public DriverInboundListener(SparkConf conf) {
        this.file = Path.of(conf.get("spark.alexnet.it.inbound-file"));
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart job) {
        String round = job.properties() == null ? null : job.properties().getProperty("alexnet.round");
        if (round != null) {
            for (Object stage : scala.collection.JavaConverters.seqAsJavaList(job.stageIds())) {
                stageRound.put((Integer) stage, round);
            }
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        String round = stageRound.get(end.stageId());
        // a failed attempt's result never reached the driver (its retry's does)
        if (round != null && end.taskMetrics() != null && end.reason() == org.apache.spark.Success$.MODULE$) {
            taskRound.put(end.taskInfo().taskId(), round);
            resultBytes.merge(round, end.taskMetrics().resultSize(), Long::sum);
        }
    }

    @Override
    public synchronized void onBlockUpdated(SparkListenerBlockUpdated updated) {
        BlockUpdatedInfo info = updated.blockUpdatedInfo();
        if (info.blockId() instanceof TaskResultBlockId id && info.storageLevel().isValid()) {
            resultBlockBytes.merge(id.taskId(), info.memSize() + info.diskSize(), Math::max);
        }
    }

    @Override
    public synchronized void onApplicationEnd(SparkListenerApplicationEnd end) {
        Map<String, Long> inbound = new TreeMap<>(resultBytes);
        resultBlockBytes.forEach((task, bytes) -> {
            String round = taskRound.get(task);
            if (round != null) {
                inbound.merge(round, bytes, Long::sum);
            }
        });
        StringBuilder text = new StringBuilder();
        inbound.forEach((round, bytes) -> text.append(round).append('\t').append(bytes).append('\n'));
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
