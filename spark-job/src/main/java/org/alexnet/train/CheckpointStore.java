package org.alexnet.train;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alexnet.archive.ArchiveJson;
import org.alexnet.archive.FilePublisher;
import org.alexnet.archive.ModelArchive;
import org.alexnet.archive.Provenance;
import org.alexnet.archive.UnsupportedModelFileException;
import org.alexnet.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints under {@code OUTPUT/checkpoints/} on any Hadoop FileSystem, written so that no
 * step relies on an atomic rename (object stores copy on rename):
 * <ol>
 * <li>each checkpoint is a {@link ModelArchive} written ONCE under a new, unique name
 *     ({@code resume-at-epoch-E-round-R-TIME-ID.zip}; names order by where training resumes,
 *     then by time), never overwritten or renamed;</li>
 * <li>then the small pointer {@value #POINTER} (the newest checkpoint and the complete ones
 *     kept) is replaced: the only file that is ever replaced, and the one {@code --resume}
 *     reads;</li>
 * <li>then checkpoints beyond {@code train.checkpoint.keep} are deleted, oldest first.</li>
 * </ol>
 * A crash at any point leaves the pointer naming a complete checkpoint (or missing, or
 * unreadable: resume then lists the directory). Resume verifies what it reads (every entry's
 * CRC and size) and, when the newest checkpoint cannot be read, falls back to the previous
 * complete one with a warning. A failed write is cleaned up and tolerated once: training goes
 * on and the next checkpoint point tries again; two failures in a row stop the run.
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    static final String DIR = "checkpoints";
    static final String POINTER = "latest.json";
    private static final Pattern NAME = Pattern.compile(
            "resume-at-epoch-(\\d{4,})-round-(\\d{6,})-(\\d{8}T\\d{9}Z)-([0-9a-f]{4})\\.zip");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** Training order: epoch, round, then time of writing. */
    private static final Comparator<String> ORDER = Comparator
            .comparingLong((String n) -> Long.parseLong(group(n, 1)))
            .thenComparingLong(n -> Long.parseLong(group(n, 2)))
            .thenComparing(n -> group(n, 3) + group(n, 4));

    private final FileSystem fs;
    private final Path dir;
    private final int keep;
    /** The complete checkpoints of this run, oldest first; read lazily from the pointer. */
    private List<String> complete;
    private int failedInARow;

    /**
     * @param keep complete checkpoints to keep (0 = all)
     */
    public CheckpointStore(Path output, Configuration hadoop, int keep) throws IOException {
        this.fs = output.getFileSystem(hadoop);
        this.dir = new Path(output, DIR);
        this.keep = keep;
    }

    /** The pointer file: the newest complete checkpoint and every complete one kept, oldest first. */
    record Pointer(String latest, List<String> complete) {
    }

    /** A checkpoint read back: the network (with momentum), the job configuration and the state. */
    public record Loaded(ComputationGraph graph, Config jobConfig, ResumeState state, Provenance provenance,
                         String name) {
    }

    /**
     * Writes a checkpoint and publishes it; returns its name, or empty when the write failed for
     * the first time in a row (logged and cleaned up).
     *
     * @throws IOException when this is the second failed write in a row
     */
    public Optional<String> write(ModelArchive.Contents contents, ResumeState state) throws IOException {
        String name = String.format("resume-at-epoch-%04d-round-%06d-%s-%04x.zip", state.nextEpoch(),
                state.nextRound(), STAMP.format(java.time.Instant.now()), ThreadLocalRandom.current().nextInt(1 << 16));
        Path file = new Path(dir, name);
        List<String> published = new ArrayList<>(complete());
        published.add(name);
        published.sort(ORDER);
        List<String> kept = keep > 0 && published.size() > keep
                ? published.subList(published.size() - keep, published.size()) : published;
        long t0 = System.nanoTime();
        try {
            ModelArchive.publish(contents, fs, file);
            FilePublisher.publish(fs, new Path(dir, POINTER), ArchiveJson.write(new Pointer(name, kept)));
        } catch (IOException e) {
            deleteQuietly(file);
            if (++failedInARow >= 2) {
                throw new IOException("two checkpoint writes in a row failed, stopping (the last: " + e.getMessage()
                        + "); the previous complete checkpoint is kept", e);
            }
            LOG.error("checkpoint {} could not be written ({}); training goes on and the next checkpoint point tries "
                    + "again (two failures in a row stop the run)", name, e.toString());
            return Optional.empty();
        }
        failedInARow = 0;
        LOG.info("checkpoint {} written ({} MB in {} s)", name, fs.getFileStatus(file).getLen() >> 20,
                String.format("%.1f", (System.nanoTime() - t0) / 1e9));
        for (String old : published) {
            if (!kept.contains(old)) {
                deleteQuietly(new Path(dir, old));
            }
        }
        complete = new ArrayList<>(kept);
        return Optional.of(name);
    }

    /**
     * The newest checkpoint that can be read, if any: the pointer's, else (with a warning) the
     * previous complete one, and so on; without a readable pointer, the newest complete one
     * found by listing the directory.
     *
     * @throws IOException when checkpoints exist but none can be read, or one is of a format
     *                     this version does not read (resuming from an older one would discard
     *                     training)
     */
    public Optional<Loaded> latest() throws IOException {
        List<String> candidates = candidates();
        List<String> failures = new ArrayList<>();
        for (String name : candidates) {
            try {
                Loaded loaded = load(name);
                if (!failures.isEmpty()) {
                    LOG.warn("resuming from {}, the newest checkpoint that can be read", name);
                }
                complete = new ArrayList<>(candidates.stream().filter(n -> ORDER.compare(n, name) <= 0)
                        .sorted(ORDER).toList());
                return Optional.of(loaded);
            } catch (UnsupportedModelFileException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                LOG.warn("checkpoint {} cannot be read ({}); falling back to the previous complete checkpoint", name,
                        e.getMessage());
                failures.add(name + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new IOException("no checkpoint under " + dir + " can be read: " + String.join("; ", failures));
        }
        return Optional.empty();
    }

    private Loaded load(String name) throws IOException {
        ModelArchive archive = ModelArchive.open(fs, new Path(dir, name));
        if (archive.kind() != ModelArchive.Kind.CHECKPOINT) {
            throw new IOException(name + " is a model, not a checkpoint");
        }
        ResumeState state = archive.resumeState(ResumeState.class).orElseThrow();
        Config job = TrainConfig.SCHEMA.resolve(archive.jobConfig());
        return new Loaded(archive.graph(), job, state, archive.provenance(), name);
    }

    /** Checkpoints to try, newest first: the pointer's, then any others found by listing. */
    private List<String> candidates() throws IOException {
        LinkedHashSet<String> out = new LinkedHashSet<>(pointer().map(Pointer::complete).orElse(List.of())
                .stream().sorted(ORDER.reversed()).toList());
        out.addAll(listed().stream().sorted(ORDER.reversed()).toList());
        return new ArrayList<>(out);
    }

    /** The complete checkpoints: this store's, else the pointer's, else every one listed. */
    private List<String> complete() throws IOException {
        if (complete == null) {
            complete = new ArrayList<>(pointer().map(Pointer::complete).orElseGet(() -> {
                try {
                    return listed();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
            complete.sort(ORDER);
        }
        return complete;
    }

    private Optional<Pointer> pointer() {
        Path path = new Path(dir, POINTER);
        try (InputStream in = fs.open(path)) {
            Pointer p = ArchiveJson.read(in.readNBytes(1 << 20), Pointer.class, path.toString());
            if (p.latest() == null || p.complete() == null || !p.complete().contains(p.latest())
                    || !p.complete().stream().allMatch(n -> n != null && NAME.matcher(n).matches())) {
                throw new IOException("it does not name complete checkpoints");
            }
            return Optional.of(p);
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("the checkpoint pointer {} cannot be read ({}); listing {} instead", path, e.getMessage(), dir);
            return Optional.empty();
        }
    }

    private List<String> listed() throws IOException {
        if (!fs.exists(dir)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (FileStatus f : fs.listStatus(dir)) {
            if (f.isFile() && NAME.matcher(f.getPath().getName()).matches()) {
                names.add(f.getPath().getName());
            }
        }
        return names;
    }

    private void deleteQuietly(Path file) {
        try {
            if (fs.exists(file) && !fs.delete(file, false)) {
                LOG.warn("could not delete {}", file);
            }
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", file, e.toString());
        }
    }

    private static String group(String name, int group) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a checkpoint name: " + name);
        }
        return m.group(group);
    }
}
