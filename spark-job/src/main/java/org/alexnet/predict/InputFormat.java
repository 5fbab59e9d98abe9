package org.alexnet.predict;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the batch inference job reads its input (predict.format). */
enum InputFormat {
    /** Look at the path: Parquet with the dataset's columns is DATASET, other Parquet PARQUET, else IMAGES. */
    AUTO("auto"),
    /** A preprocessed dataset's split (key, label, wnid, jpeg, ...): stored JPEGs, used as they are. */
    DATASET("dataset"),
    /** A directory tree of image files (by extension, or predict.glob), read with Spark's binaryFile source. */
    IMAGES("images"),
    /** Parquet with a column of image file bytes and a key column. */
    PARQUET("parquet"),
    /** Spark's binaryFile data source (path, content): every file, or those matching predict.glob. */
    BINARY_FILE("binaryFile"),
    /** Spark's image data source (decoded on read into its image struct; key = image.origin). */
    IMAGE("image");

    static final String CHOICES = Arrays.stream(values()).map(f -> f.id).collect(Collectors.joining(" | "));

    final String id;

    InputFormat(String id) {
        this.id = id;
    }

    /** The format named by {@code text} (case and dashes ignored: binaryFile, binary-file), or null. */
    static InputFormat parse(String text) {
        String t = text.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (InputFormat f : values()) {
            if (f.id.toLowerCase(Locale.ROOT).equals(t)) {
                return f;
            }
        }
        return null;
    }
}
