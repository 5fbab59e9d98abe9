package org.alexnet.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a file on any Hadoop FileSystem so that it appears at its name whole or not at all,
 * never by copying it after it was written:
 * <ul>
 * <li>On object stores whose uploads become visible only when the stream is closed and can be
 *     aborted (S3A reports {@code fs.capability.outputstream.abortable}), the file is written at
 *     its name; a failed write aborts the upload, so neither a partial object nor a replacement
 *     of the previous one appears. A rename there would be a copy.</li>
 * <li>Elsewhere (local disks, HDFS: rename is atomic and cheap) it is written under a hidden
 *     temporary name in the same directory and renamed into place; a failed write deletes the
 *     temporary file. Replacing an existing file is one atomic rename on local disks; HDFS does
 *     not rename over a file, so the old one is deleted just before.</li>
 * </ul>
 * A process killed mid-write may leave a hidden {@code .NAME.*.partial} file (never a partial
 * file under NAME, except on a file system that has neither atomic renames nor atomic uploads);
 * readers ignore hidden files.
 */
public final class FilePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(FilePublisher.class);

    /** Content written to a stream (not closing it); may be asked to write more than once. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private FilePublisher() {
    }

    /** Publishes small content held in memory (metrics, curves, pointers). */
    public static void publish(FileSystem fs, Path target, byte[] content) throws IOException {
        publish(fs, target, out -> out.write(content));
    }

    /** Publishes the content at {@code target}, replacing what was there. */
    public static void publish(FileSystem fs, Path target, Content content) throws IOException {
        fs.mkdirs(target.getParent());
        if (writesAtomically(fs, target.getParent())) {
            writeInPlace(fs, target, content);
        } else {
            writeAndRename(fs, target, content);
        }
    }

    /** True when a file written at its name becomes visible only once complete (and a failed write can be aborted). */
    public static boolean writesAtomically(FileSystem fs, Path dir) throws IOException {
        return fs.hasPathCapability(dir, CommonPathCapabilities.ABORTABLE_STREAM);
    }

    private static void writeInPlace(FileSystem fs, Path target, Content content) throws IOException {
        FSDataOutputStream out = fs.create(target, true);
        try {
            content.writeTo(out);
        } catch (IOException | RuntimeException | Error e) {
            try {
                out.abort(); // the upload is discarded: the previous object, if any, stays
                out.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        out.close();
    }

    private static void writeAndRename(FileSystem fs, Path target, Content content) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".partial");
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                content.writeTo(out);
            }
            if (!fs.rename(tmp, target)) {
                // HDFS does not rename over an existing file; the local file system does, atomically
                if (!fs.exists(target) || !fs.delete(target, false) || !fs.rename(tmp, target)) {
                    throw new IOException("could not rename " + tmp + " to " + target);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                if (fs.exists(tmp) && !fs.delete(tmp, false)) {
                    LOG.warn("could not delete the incomplete {}", tmp);
                }
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
