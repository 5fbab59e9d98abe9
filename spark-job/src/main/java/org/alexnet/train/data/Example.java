package org.alexnet.train.data;

import java.io.Serializable;
import java.util.Objects;

/**
 * One stored example as the training job reads it from train/ or val/: the stored JPEG (short
 * side 256) and its 0-based class. {@code key} only names the example in logs and errors.
 * Serializable so that it can be an RDD element (only JPEG bytes cross the network).
 */
public record Example(String key, byte[] jpeg, int label) implements Serializable {
    public Example {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(jpeg, "jpeg");
        if (label < 0) {
            throw new IllegalArgumentException("example " + key + ": negative label " + label);
        }
    }
}
