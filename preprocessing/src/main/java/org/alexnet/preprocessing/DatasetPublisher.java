package org.alexnet.preprocessing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a dataset appear complete or not at all. Everything is written into a hidden sibling
 * directory ({@code .NAME.incomplete-RUN}), which is renamed to the output when done; the manifest
 * and then {@code _SUCCESS} are written last, after the rename, so an interrupted rename (object
 * stores copy) never looks complete either. A run that fails, or is killed with SIGTERM, deletes
 * its staging directory.
 */
public final class DatasetPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetPublisher.class);
    /** Runs before Hadoop closes its FileSystems (priority 10). */
    private static final int HOOK_PRIORITY = 50;

    private final FileSystem fs;
    private final Path output;
    private final Path staging;
    private final boolean overwrite;
    private final Runnable cleanup;
    private volatile boolean published;

    public DatasetPublisher(FileSystem fs, Path output, boolean overwrite, String runId) {
        this.fs = fs;
        this.output = fs.makeQualified(output);
        this.overwrite = overwrite;
        this.staging = new Path(this.output.getParent(), "." + this.output.getName() + ".incomplete-" + runId);
        this.cleanup = () -> {
            if (!published) abandon();
        };
    }

    /** Fails, before any work, when the output exists and may not be replaced, or overlaps the input. */
    public void check(Path input) throws IOException {
        String in = fs.makeQualified(input).toString() + "/";
        String out = output.toString() + "/";
        if (in.startsWith(out) || out.startsWith(in)) {
            throw new IllegalArgumentException("output " + output + " and input " + input + " overlap");
        }
        if (fs.exists(output) && !overwrite) {
            throw new IllegalArgumentException("output " + output + " already exists; pass --overwrite to replace it");
        }
    }

    /** Creates the staging directory and arms the cleanup hook. */
    public Path begin() throws IOException {
        if (!fs.mkdirs(staging)) {
            throw new IOException("cannot create " + staging);
        }
        ShutdownHookManager.get().addShutdownHook(cleanup, HOOK_PRIORITY);
        return staging;
    }

    /** Moves the staging directory to the output, then writes the manifest and _SUCCESS. */
    void publish(String manifestJson) throws IOException {
        publish(DatasetLayout.MANIFEST, manifestJson);
    }

    /**
     * {@link #publish(String)} with the manifest under another name (a Parquet directory's
     * readers skip names starting with '_').
     */
    public void publish(String manifestName, String manifestJson) throws IOException {
        Path replaced = null;
        if (fs.exists(output)) {
            replaced = new Path(staging.getParent(), staging.getName().replace(".incomplete-", ".replaced-"));
            rename(output, replaced);
        }
        rename(staging, output);
        published = true;
        ShutdownHookManager.get().removeShutdownHook(cleanup);
        writeText(new Path(output, manifestName), manifestJson);
        writeText(new Path(output, DatasetLayout.SUCCESS), "");
        if (replaced != null && !fs.delete(replaced, true)) {
            LOG.warn("could not delete the replaced dataset at {}", replaced);
        }
    }

    /** Deletes the staging directory (the run failed). */
    public void abandon() {
        try {
            if (fs.exists(staging)) {
                fs.delete(staging, true);
                LOG.info("deleted the incomplete output {}", staging);
            }
        } catch (IOException e) {
            LOG.warn("could not delete the incomplete output {}: {}", staging, e.toString());
        }
        ShutdownHookManager mgr = ShutdownHookManager.get();
        if (!mgr.isShutdownInProgress()) {
            mgr.removeShutdownHook(cleanup);
        }
    }

    private void rename(Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("cannot rename " + from + " to " + to);
        }
    }

    private void writeText(Path file, String text) throws IOException {
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
