package org.alexnet.preprocessing;

import java.io.Serializable;

/**
 * One input file to process.
 *
 * @param path      its full Hadoop path (URI string)
 * @param key       its path relative to the input directory, e.g. {@code train/n01440764/x.JPEG}
 * @param size      its length in bytes
 * @param label     class index, or -1 when {@code rejection} is set
 * @param wnid      class wnid, or null when unknown
 * @param rejection non-null when the listing already knows the file cannot be used (e.g. no label)
 */
public record ImageEntry(String path, String key, long size, int label, String wnid, String rejection) implements Serializable {
}
