package org.alexnet.predict;

import java.io.IOException;
import java.io.Serializable;
import org.alexnet.archive.ModelArchive;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The identity of one model file as the driver saw it: its qualified path, length and
 * modification time. Executors load and cache a model by this identity, and refuse a file that
 * changed since (a model rewritten under the same name mid-job would otherwise mix two models).
 *
 * @param path     the model file (a directory given by the user resolved to its model.zip)
 * @param length   bytes
 * @param modified modification time, ms since the epoch
 */
public record ModelRef(String path, long length, long modified) implements Serializable {

    /** The model at {@code fileOrDir} (a training output directory means its model.zip) on any Hadoop FileSystem. */
    public static ModelRef of(String fileOrDir, Configuration conf) throws IOException {
        Path given = new Path(fileOrDir);
        FileSystem fs = given.getFileSystem(conf);
        if (!fs.exists(given)) {
            throw new java.io.FileNotFoundException("no model at " + given);
        }
        Path file = fs.getFileStatus(given).isDirectory() ? new Path(given, ModelArchive.MODEL_FILE) : given;
        if (!fs.exists(file)) {
            throw new java.io.FileNotFoundException("no model at " + file);
        }
        FileStatus status = fs.getFileStatus(file);
        return new ModelRef(fs.makeQualified(file).toString(), status.getLen(), status.getModificationTime());
    }

    /** Reads the archive, after checking that the file is still the one this identity names. */
    ModelArchive open(Configuration conf) throws IOException {
        Path file = new Path(path);
        FileSystem fs = file.getFileSystem(conf);
        FileStatus status = fs.getFileStatus(file);
        if (status.getLen() != length || status.getModificationTime() != modified) {
            throw new IOException("the model file " + path + " changed since the job started (" + length + " bytes, "
                    + "modified " + modified + "; now " + status.getLen() + " bytes, modified "
                    + status.getModificationTime() + ")");
        }
        return ModelArchive.open(fs, file);
    }
}
