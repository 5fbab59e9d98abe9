package org.alexnet.preprocessing;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The layout of a preprocessed dataset directory, as written by {@link PreprocessImageNet} and read
 * by the training job:
 * <pre>
 *   train/, val/   Parquet: key, label, wnid, jpeg, height, width (rows in a seeded random order)
 *   stats/         Parquet, one row: see {@link DatasetStats}
 *   classes/       Parquet: index, wnid, name
 *   rejected/      Parquet: split, key, reason
 *   manifest.json  counts, configuration, timings (written last)
 *   _SUCCESS       present only when the dataset is complete
 * </pre>
 * Stored images have a short side of {@link #IMAGE_SIZE}; "the image" is their central
 * {@code IMAGE_SIZE x IMAGE_SIZE} patch, starting at {@link #centralOffset(int)} on each axis.
 */
public final class DatasetLayout {
    private DatasetLayout() {
    }

    /** Short side of every stored image, and the side of the mean image. */
    public static final int IMAGE_SIZE = 256;

    public static final String TRAIN = "train";
    public static final String VAL = "val";
    public static final String STATS = "stats";
    public static final String CLASSES = "classes";
    public static final String REJECTED = "rejected";
    public static final String MANIFEST = "manifest.json";
    public static final String SUCCESS = "_SUCCESS";

    // train/ and val/ columns
    public static final String KEY = "key";
    public static final String LABEL = "label";
    public static final String WNID = "wnid";
    public static final String JPEG = "jpeg";
    public static final String HEIGHT = "height";
    public static final String WIDTH = "width";

    // classes/ columns (plus WNID)
    public static final String INDEX = "index";
    public static final String NAME = "name";

    // rejected/ columns (plus KEY)
    public static final String SPLIT = "split";
    public static final String REASON = "reason";

    // stats/ columns
    public static final String COUNT = "count";
    public static final String MEAN_IMAGE = "mean_image";
    public static final String RGB_MEAN = "rgb_mean";
    public static final String RGB_COVARIANCE = "rgb_covariance";
    public static final String EIGENVALUES = "eigenvalues";
    public static final String EIGENVECTORS = "eigenvectors";
    public static final String PIXEL_SCALE = "pixel_scale";

    /** Where the central patch starts along an axis of the given length (integer division, floor). */
    public static int centralOffset(int length) {
        return (length - IMAGE_SIZE) / 2;
    }

    /** True when {@code dataset} holds a complete dataset (its top-level _SUCCESS exists). */
    public static boolean isComplete(FileSystem fs, Path dataset) throws IOException {
        return fs.exists(new Path(dataset, SUCCESS));
    }

    /** Fails with a clear message unless {@code dataset} is a complete preprocessed dataset. */
    public static void requireComplete(FileSystem fs, Path dataset) throws IOException {
        if (!fs.exists(dataset)) {
            throw new IllegalArgumentException("no dataset at " + dataset);
        }
        if (!isComplete(fs, dataset)) {
            throw new IllegalArgumentException("dataset at " + dataset + " is incomplete (no " + SUCCESS
                    + "): the preprocessing run that wrote it failed or was stopped");
        }
    }
}
