package org.alexnet.archive;

/**
 * One class of a model's output: its index in the output layer, its WordNet id (or folder name)
 * and its human-readable name (empty when the dataset has none).
 */
public record ClassName(int index, String wnid, String name) {
    public ClassName {
        if (index < 0 || wnid == null || wnid.isBlank()) {
            throw new IllegalArgumentException("a class needs an index >= 0 and a wnid, got " + index + ", " + wnid);
        }
        name = name == null ? "" : name;
    }

    /** "wnid (name)", or the wnid alone when the dataset has no name for it. */
    public String label() {
        return name.isBlank() ? wnid : wnid + " (" + name + ")";
    }
}
