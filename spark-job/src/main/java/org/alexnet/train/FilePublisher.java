package org.alexnet.train;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Puts a finished local file onto any Hadoop FileSystem so that it appears whole or not at all:
 * copied under a hidden temporary name in the target's directory, then renamed over the target.
 */
final class FilePublisher {
    private FilePublisher() {
    }

    static void publish(File local, FileSystem fs, Path target) throws IOException {
        fs.mkdirs(target.getParent());
        Path tmp = temporary(target);
        fs.copyFromLocalFile(false, true, new Path(local.toURI()), tmp);
        renameOver(fs, tmp, target);
    }

    /** The same for small content held in memory (metrics, curves, pointers). */
    static void publish(byte[] content, FileSystem fs, Path target) throws IOException {
        Path tmp = temporary(target);
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(content);
        }
        renameOver(fs, tmp, target);
    }

    private static Path temporary(Path target) {
        return new Path(target.getParent(), "." + target.getName() + ".partial");
    }

    private static void renameOver(FileSystem fs, Path tmp, Path target) throws IOException {
        // HDFS and the local FileSystem do not rename over an existing file
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
            throw new IOException("could not rename " + tmp + " to " + target);
        }
    }
}
