package org.alexnet.train.data;

/**
 * The training-time augmentation of the paper (section 4.1) for a given input size.
 *
 * @param cropSize    side S of the square crop fed to the net (224 in the paper)
 * @param flip        random horizontal flip (probability 1/2)
 * @param lightingStd standard deviation of the PCA lighting coefficients (0.1 in the paper; 0 = off)
 * @param seed        base seed; see {@link #exampleSeed}
 */
public record AugmentationSettings(int cropSize, boolean flip, double lightingStd, long seed) {
    public static final double PAPER_LIGHTING_STD = 0.1;

    public AugmentationSettings {
        if (cropSize < 1) {
            throw new IllegalArgumentException("crop size must be positive, got " + cropSize);
        }
        if (!(lightingStd >= 0) || Double.isInfinite(lightingStd)) {
            throw new IllegalArgumentException("lighting std must be finite and >= 0, got " + lightingStd);
        }
    }

    /** Random crop, flip and lighting with std 0.1, as in the paper. */
    public static AugmentationSettings paper(int cropSize, long seed) {
        return new AugmentationSettings(cropSize, true, PAPER_LIGHTING_STD, seed);
    }

    /**
     * The seed of every random choice for the example at {@code index} of {@code chunk}. A pure
     * function of its arguments (SplitMix64 finalizer over each component), so it does not
     * depend on which thread decodes the example or when.
     */
    public long exampleSeed(ChunkId chunk, long index) {
        long h = mix(seed);
        h = mix(h + chunk.epoch());
        h = mix(h + chunk.round());
        h = mix(h + chunk.worker());
        return mix(h + index);
    }

    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
