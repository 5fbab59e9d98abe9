package org.alexnet.preprocessing;

import java.io.Serializable;

/**
 * Exact integer sums over central patches: per-position channel sums (for the mean image), channel
 * sums and channel cross-products (for the RGB covariance). Integer addition is associative, so
 * the totals, and the statistics derived from them, are bit-identical however the images are split
 * into partitions and in whatever order partial sums are merged. Arrays are allocated on first
 * use so that an empty instance is cheap to ship to tasks.
 */
public final class PixelSums implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int PATCH_VALUES = DatasetLayout.IMAGE_SIZE * DatasetLayout.IMAGE_SIZE * 3;

    private long images;
    private long[] positionSums;      // HWC, RGB
    private final long[] channelSums = new long[3];
    private final long[] products = new long[6];   // rr, rg, rb, gg, gb, bb

    /** Adds one central patch (RGB, HWC, {@code IMAGE_SIZE^2 * 3} bytes). */
    public void add(byte[] rgbPatch) {
        if (rgbPatch.length != PATCH_VALUES) {
            throw new IllegalArgumentException("patch has " + rgbPatch.length + " values, expected " + PATCH_VALUES);
        }
        if (positionSums == null) {
            positionSums = new long[PATCH_VALUES];
        }
        long r = 0, g = 0, b = 0, rr = 0, rg = 0, rb = 0, gg = 0, gb = 0, bb = 0;
        long[] sums = positionSums;
        for (int i = 0; i < PATCH_VALUES; i += 3) {
            int pr = rgbPatch[i] & 0xFF;
            int pg = rgbPatch[i + 1] & 0xFF;
            int pb = rgbPatch[i + 2] & 0xFF;
            sums[i] += pr;
            sums[i + 1] += pg;
            sums[i + 2] += pb;
            r += pr;
            g += pg;
            b += pb;
            rr += pr * pr;
            rg += pr * pg;
            rb += pr * pb;
            gg += pg * pg;
            gb += pg * pb;
            bb += pb * pb;
        }
        channelSums[0] += r;
        channelSums[1] += g;
        channelSums[2] += b;
        products[0] += rr;
        products[1] += rg;
        products[2] += rb;
        products[3] += gg;
        products[4] += gb;
        products[5] += bb;
        images++;
    }

    /** Adds another partial sum into this one. */
    public void merge(PixelSums other) {
        if (other.images == 0) {
            return;
        }
        if (positionSums == null) {
            positionSums = new long[PATCH_VALUES];
        }
        for (int i = 0; i < PATCH_VALUES; i++) positionSums[i] += other.positionSums[i];
        for (int c = 0; c < 3; c++) channelSums[c] += other.channelSums[c];
        for (int k = 0; k < 6; k++) products[k] += other.products[k];
        images += other.images;
    }

    /** A deep copy. */
    public PixelSums copy() {
        PixelSums c = new PixelSums();
        c.merge(this);
        return c;
    }

    public long images() {
        return images;
    }

    /** The mean image, RGB covariance and its eigen-decomposition, computed in double precision. */
    public DatasetStats finish() {
        if (images == 0) {
            throw new IllegalStateException("no training image was stored: cannot compute the mean image");
        }
        float[] mean = new float[PATCH_VALUES];
        for (int i = 0; i < PATCH_VALUES; i++) mean[i] = (float) ((double) positionSums[i] / images);
        double pixels = (double) images * DatasetLayout.IMAGE_SIZE * DatasetLayout.IMAGE_SIZE;
        double[] rgbMean = new double[3];
        for (int c = 0; c < 3; c++) rgbMean[c] = channelSums[c] / pixels;
        double[] cov = new double[9];
        int k = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = i; j < 3; j++) {
                double v = products[k++] / pixels - rgbMean[i] * rgbMean[j];   // population covariance
                cov[i * 3 + j] = v;
                cov[j * 3 + i] = v;
            }
        }
        SymmetricEigen3 eigen = SymmetricEigen3.of(cov);
        return new DatasetStats(images, mean, rgbMean, cov, eigen.values(), eigen.vectors(), DatasetStats.PIXEL_SCALE_255);
    }
}
