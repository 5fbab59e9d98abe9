package org.alexnet.archive;

import java.io.IOException;

/**
 * A model or checkpoint file that is intact but that this version will not read: one written in
 * the earlier, Java-serialized format, or in a newer format version. Unlike a corrupt file, a
 * resumed run does not skip it for an older checkpoint: that would silently discard training.
 */
public final class UnsupportedModelFileException extends IOException {
    public UnsupportedModelFileException(String message) {
        super(message);
    }
}
