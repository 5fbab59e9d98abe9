package org.alexnet.train.data;

import org.alexnet.preprocessing.DatasetLayout;

/**
 * Where crops come from. The paper crops 224 from the 256x256 central patch of every image. For
 * another crop size S the central 256x256 patch is first resized to {@code round(S * 256 / 224)}
 * so that the crop keeps the paper's 224/256 share of the image (a 64 crop comes from a 73 patch,
 * with as much positional jitter relative to the image as the paper's).
 */
public record PatchGeometry(int cropSize, int patchSize) {
    public static final int PAPER_CROP = 224;

    public PatchGeometry {
        if (cropSize < 1 || patchSize < cropSize) {
            throw new IllegalArgumentException("crop " + cropSize + " does not fit a patch of " + patchSize);
        }
    }

    public static PatchGeometry forCrop(int cropSize) {
        int patch = (int) Math.round(cropSize * (double) DatasetLayout.IMAGE_SIZE / PAPER_CROP);
        return new PatchGeometry(cropSize, patch);
    }

    /** True when the central 256x256 patch must be resized (every crop size but 224). */
    public boolean resizes() {
        return patchSize != DatasetLayout.IMAGE_SIZE;
    }

    /** Number of crop positions along each axis. */
    public int positions() {
        return patchSize - cropSize + 1;
    }

    /** Offset of the centre crop on each axis (16 for 224 in 256). */
    public int centreOffset() {
        return (patchSize - cropSize) / 2;
    }

    /** Floats in one CHW view. */
    public int viewLength() {
        return 3 * cropSize * cropSize;
    }
}
