package org.alexnet.model;

/**
 * Model sizes with the paper's topology. {@code full} is the paper; the others shrink every
 * layer's width and the input so tests and CPU demos run in seconds.
 */
public enum Preset {
    /** The paper: 224x224 input, 48/128/192/192/128 maps and 2048-wide fc layers per column. */
    FULL("full", 1.0, 224),
    /** A quarter of the width at 128x128: a CPU demo that still learns. */
    SMALL("small", 0.25, 128),
    /** A sixteenth of the width at 64x64: unit tests and gradient checks. */
    TINY("tiny", 1.0 / 16, 64);

    public final String id;
    public final double width;
    public final int inputSize;

    Preset(String id, double width, int inputSize) {
        this.id = id;
        this.width = width;
        this.inputSize = inputSize;
    }

    /** The preset with this id, or null. */
    public static Preset find(String id) {
        for (Preset p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        return null;
    }
}
