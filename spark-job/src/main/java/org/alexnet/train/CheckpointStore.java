package org.alexnet.train;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.alexnet.config.Config;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.ModelFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Checkpoints under {@code OUTPUT/checkpoints/} on any Hadoop FileSystem. A checkpoint is one
 * model file (parameters, momentum, the model configuration) with the job's whole configuration
 * and the training state (epoch, round, schedule, metrics so far; every random choice derives
 * from the seed, epoch, round and worker) stored inside it. It is written under a hidden
 * temporary name and renamed, so a complete checkpoint appears at once and a kill at any moment
 * leaves the previous one loadable. Resume takes the newest complete checkpoint by name
 * (names sort by the epoch and round training resumes at); {@code LATEST} names it for people.
 */
public final class CheckpointStore {
    static final String DIR = "checkpoints";
    static final String LATEST = "LATEST";
    static final String JOB_CONFIG_ENTRY = "job-config";
    static final String STATE_ENTRY = "training-state";

    private final FileSystem fs;
    private final Path dir;

    public CheckpointStore(Path output, Configuration hadoop) throws IOException {
        this.fs = output.getFileSystem(hadoop);
        this.dir = new Path(output, DIR);
    }

    /** A checkpoint read back: the network (with momentum), the job configuration and the state. */
    public record Loaded(ComputationGraph graph, Config jobConfig, Map<String, String> state, String name) {
    }

    /** Writes a checkpoint and points LATEST at it; returns its name. */
    public String write(ComputationGraph graph, AlexNetConfig model, Config jobConfig, Map<String, String> state)
            throws IOException {
        // named by where training resumes, so names sort in training order
        String name = String.format("resume-at-epoch-%04d-round-%06d.zip", Integer.parseInt(state.get("next.epoch")),
                Integer.parseInt(state.get("next.round")));
        File local = File.createTempFile("alexnet-checkpoint", ".zip");
        try {
            ModelFile.save(graph, model, local, true,
                    Map.of(JOB_CONFIG_ENTRY, jobConfig.toPropertiesText(), STATE_ENTRY, toText(state)));
            FilePublisher.publish(local, fs, new Path(dir, name));
            FilePublisher.publish(name.getBytes(StandardCharsets.UTF_8), fs, new Path(dir, LATEST));
            return name;
        } finally {
            Files.deleteIfExists(local.toPath());
        }
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Loaded> latest() throws IOException {
        if (!fs.exists(dir)) {
            return Optional.empty();
        }
        String name = null;
        for (FileStatus f : fs.listStatus(dir)) {
            String n = f.getPath().getName();
            if (n.startsWith("resume-at-epoch-") && n.endsWith(".zip") && (name == null || n.compareTo(name) > 0)) {
                name = n;
            }
        }
        if (name == null) {
            return Optional.empty();
        }
        File local = File.createTempFile("alexnet-checkpoint", ".zip");
        try {
            fs.copyToLocalFile(false, new Path(dir, name), new Path(local.toURI()), true);
            ModelFile.Saved saved = ModelFile.load(local);
            String jobText = ModelSerializer.getObjectFromFile(local, JOB_CONFIG_ENTRY);
            String stateText = ModelSerializer.getObjectFromFile(local, STATE_ENTRY);
            Config job = TrainConfig.SCHEMA.resolve(Config.parsePropertiesText(jobText));
            return Optional.of(new Loaded(saved.graph(), job, Config.parsePropertiesText(stateText), name));
        } finally {
            Files.deleteIfExists(local.toPath());
        }
    }

    private static String toText(Map<String, String> state) {
        StringBuilder sb = new StringBuilder();
        new LinkedHashMap<>(state).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }
}
