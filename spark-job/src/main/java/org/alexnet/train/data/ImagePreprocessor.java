package org.alexnet.train.data;

import java.util.Random;
import org.alexnet.preprocessing.DatasetStats;

/**
 * Per-example transforms from a stored JPEG to the net's input: CHW float views of side S, RGB,
 * {@code pixel - mean + lighting} on the 0-255 scale, the mean being the mean image's pixel at the
 * same place of the patch (so a crop subtracts its own window of the mean image, and a mirrored
 * crop its mirrored window). Immutable and thread-safe; build one per executor and share it.
 *
 * <p>The JPEG methods allocate a decoder per call (convenient, slower); {@link MinibatchStream}
 * uses the {@code write*} methods with a decoder per thread and reused buffers.
 */
public final class ImagePreprocessor {
    private final AugmentationSettings settings;
    private final PatchGeometry geometry;
    private final float[][] meanPlanes;
    private final Lighting lighting;

    public ImagePreprocessor(AugmentationSettings settings, DatasetStats stats) {
        this.settings = settings;
        this.geometry = PatchGeometry.forCrop(settings.cropSize());
        this.meanPlanes = MeanWindow.planes(stats, geometry);
        this.lighting = new Lighting(stats, settings.lightingStd());
    }

    public AugmentationSettings settings() {
        return settings;
    }

    public PatchGeometry geometry() {
        return geometry;
    }

    /**
     * The crop position, flip and lighting for one use of an example, from its seed alone
     * (java.util.Random: a specified, JVM-independent sequence).
     */
    public Augmentation drawAugmentation(long exampleSeed) {
        Random rng = new Random(exampleSeed);
        int x = rng.nextInt(geometry.positions());
        int y = rng.nextInt(geometry.positions());
        boolean flip = settings.flip() && rng.nextBoolean();
        return new Augmentation(x, y, flip, lighting.drawOffset(rng));
    }

    /** A training view of a stored JPEG: 3*S*S floats, CHW. */
    public float[] trainView(byte[] jpeg, long exampleSeed) {
        return fromJpeg(jpeg, ViewMode.TRAIN, exampleSeed);
    }

    /** The centre crop of a stored JPEG, no augmentation: 3*S*S floats, CHW. */
    public float[] centreView(byte[] jpeg) {
        return fromJpeg(jpeg, ViewMode.CENTRE, 0);
    }

    /** The 10 test views of a stored JPEG, one CHW view after another (order: see {@link #writeTenViews}). */
    public float[] tenViews(byte[] jpeg) {
        return fromJpeg(jpeg, ViewMode.TEN_VIEWS, 0);
    }

    private float[] fromJpeg(byte[] jpeg, ViewMode mode, long exampleSeed) {
        float[] out = new float[mode.viewsPerExample() * geometry.viewLength()];
        try (PatchDecoder decoder = new PatchDecoder(geometry)) {
            writeViews(mode, decoder.decode(jpeg), exampleSeed, out, 0);
        }
        return out;
    }

    /** The views of {@code mode} for a decoded patch (RGB HWC bytes, patchSize^2*3) into {@code dst}. */
    void writeViews(ViewMode mode, byte[] patch, long exampleSeed, float[] dst, int offset) {
        switch (mode) {
            case TRAIN -> writeTrainView(patch, drawAugmentation(exampleSeed), dst, offset);
            case CENTRE -> writeCentreView(patch, dst, offset);
            case TEN_VIEWS -> writeTenViews(patch, dst, offset);
        }
    }

    void writeTrainView(byte[] patch, Augmentation a, float[] dst, int offset) {
        writeView(patch, a.x(), a.y(), a.flip(), a.rgbOffset(), dst, offset);
    }

    void writeCentreView(byte[] patch, float[] dst, int offset) {
        int c = geometry.centreOffset();
        writeView(patch, c, c, false, null, dst, offset);
    }

    /** Top-left, top-right, bottom-left, bottom-right, centre; then the same five mirrored. */
    void writeTenViews(byte[] patch, float[] dst, int offset) {
        int far = geometry.patchSize() - geometry.cropSize();
        int mid = geometry.centreOffset();
        int[][] corners = {{0, 0}, {far, 0}, {0, far}, {far, far}, {mid, mid}};
        int view = 0;
        for (boolean flip : new boolean[]{false, true}) {
            for (int[] xy : corners) {
                writeView(patch, xy[0], xy[1], flip, null, dst, offset + view++ * geometry.viewLength());
            }
        }
    }

    /**
     * One S x S view at (x, y) of the patch, optionally mirrored, minus the mean under each source
     * pixel, plus a per-channel offset (null = none), as CHW floats at {@code dst[offset]}.
     */
    void writeView(byte[] patch, int x, int y, boolean flip, float[] rgbOffset, float[] dst, int offset) {
        int s = geometry.cropSize();
        int p = geometry.patchSize();
        if (x < 0 || y < 0 || x + s > p || y + s > p) {
            throw new IllegalArgumentException("crop at (" + x + ", " + y + ") leaves the " + p + " patch");
        }
        int out = offset;
        for (int c = 0; c < 3; c++) {
            float[] mean = meanPlanes[c];
            float shift = rgbOffset == null ? 0f : rgbOffset[c];
            for (int row = 0; row < s; row++) {
                int src = (y + row) * p + x + (flip ? s - 1 : 0);
                int step = flip ? -1 : 1;
                for (int col = 0; col < s; col++, src += step) {
                    dst[out++] = ((patch[src * 3 + c] & 0xFF) - mean[src]) + shift;
                }
            }
        }
    }
}
