package org.alexnet.train.data;

import static org.alexnet.train.data.TestImages.SIZE;
import static org.alexnet.train.data.TestImages.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.alexnet.preprocessing.DatasetStats;
import org.junit.jupiter.api.Test;

/** Exact checks of the per-example transforms on already decoded patches. */
class ImagePreprocessorTest {
    private static final int S = 224;
    private static final int PLANE = S * S;

    private static ImagePreprocessor preprocessor(DatasetStats stats, double lightingStd) {
        return new ImagePreprocessor(new AugmentationSettings(S, true, lightingStd, 42), stats);
    }

    private static byte[] patch(ImagePreprocessor p, byte[] rgb256) {
        try (PatchDecoder d = new PatchDecoder(p.geometry())) {
            return d.fromCentralRgb(rgb256).clone();
        }
    }

    /** out[c][i][j] must be patch(x0 + (flip ? S-1-j : j), y0 + i, c) - mean there + offset[c]. */
    private static void assertView(float[] out, int offset, byte[] patch, float[] mean, int x0, int y0, boolean flip,
                                   float[] rgbOffset) {
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < S; i++) {
                for (int j = 0; j < S; j++) {
                    int x = x0 + (flip ? S - 1 - j : j);
                    int y = y0 + i;
                    float expected = (value(patch, SIZE, x, y, c) - mean[(y * SIZE + x) * 3 + c]) + rgbOffset[c];
                    float actual = out[offset + c * PLANE + i * S + j];
                    if (expected != actual) {
                        throw new AssertionError("c=" + c + " i=" + i + " j=" + j + " (crop " + x0 + "," + y0
                                + (flip ? " flipped" : "") + "): expected " + expected + ", got " + actual);
                    }
                }
            }
        }
    }

    @Test
    void geometryKeepsThePapersCropToPatchRatio() {
        assertEquals(new PatchGeometry(224, 256), PatchGeometry.forCrop(224));
        assertEquals(new PatchGeometry(64, 73), PatchGeometry.forCrop(64));
        assertEquals(new PatchGeometry(128, 146), PatchGeometry.forCrop(128));
        assertEquals(33, PatchGeometry.forCrop(224).positions());
        assertEquals(16, PatchGeometry.forCrop(224).centreOffset());
    }

    @Test
    void trainCropWindowAndFlipAreExact() {
        ImagePreprocessor p = preprocessor(TestImages.zeroMeanStats(), 0);
        byte[] patch = patch(p, TestImages.coordinatePatch());
        float[] zeroMean = new float[SIZE * SIZE * 3];
        float[] out = new float[3 * PLANE];
        boolean sawFlip = false;
        boolean sawPlain = false;
        for (long seed = 0; seed < 8; seed++) {
            Augmentation a = p.drawAugmentation(seed);
            assertArrayEquals(new float[3], a.rgbOffset(), "lighting off");
            p.writeTrainView(patch, a, out, 0);
            assertView(out, 0, patch, zeroMean, a.x(), a.y(), a.flip(), new float[3]);
            sawFlip |= a.flip();
            sawPlain |= !a.flip();
        }
        assertTrue(sawFlip && sawPlain, "both flipped and plain crops exercised");
        // the coordinates themselves: R = x, G = y at the crop's corners
        p.writeView(patch, 5, 9, true, null, out, 0);
        assertEquals(5 + S - 1, out[0], "flipped view starts at the crop's right edge");
        assertEquals(5, out[S - 1]);
        assertEquals(9, out[PLANE]);
    }

    @Test
    void meanSubtractionUsesTheMatchingWindow() {
        float[] mean = TestImages.coordinateMean();
        ImagePreprocessor p = preprocessor(TestImages.stats(mean), 0);
        byte[] patch = patch(p, TestImages.coordinatePatch());
        float[] out = new float[3 * PLANE];
        int[][] places = {{0, 0}, {32, 32}, {7, 21}, {31, 1}};
        for (int[] xy : places) {
            for (boolean flip : new boolean[]{false, true}) {
                p.writeView(patch, xy[0], xy[1], flip, null, out, 0);
                assertView(out, 0, patch, mean, xy[0], xy[1], flip, new float[3]);
            }
        }
        p.writeCentreView(patch, out, 0);
        assertView(out, 0, patch, mean, 16, 16, false, new float[3]);
    }

    @Test
    void tenViewsAreTheFourCornersTheCentreAndTheirMirrors() {
        float[] mean = TestImages.coordinateMean();
        ImagePreprocessor p = preprocessor(TestImages.stats(mean), 0.1);
        byte[] patch = patch(p, TestImages.coordinatePatch());
        float[] out = new float[10 * 3 * PLANE];
        p.writeTenViews(patch, out, 0);
        int[][] places = {{0, 0}, {32, 0}, {0, 32}, {32, 32}, {16, 16}};
        for (int v = 0; v < 10; v++) {
            int[] xy = places[v % 5];
            assertView(out, v * 3 * PLANE, patch, mean, xy[0], xy[1], v >= 5, new float[3]);
        }
    }

    @Test
    void cropPositionsCoverEveryOffsetAndFlipHalfTheTime() {
        ImagePreprocessor p = preprocessor(TestImages.zeroMeanStats(), 0.1);
        Set<Integer> xs = new HashSet<>();
        Set<Integer> ys = new HashSet<>();
        int flips = 0;
        int n = 20_000;
        for (long seed = 0; seed < n; seed++) {
            Augmentation a = p.drawAugmentation(seed);
            assertTrue(a.x() >= 0 && a.x() <= 32 && a.y() >= 0 && a.y() <= 32);
            xs.add(a.x());
            ys.add(a.y());
            flips += a.flip() ? 1 : 0;
        }
        assertEquals(33, xs.size());
        assertEquals(33, ys.size());
        assertEquals(0.5, flips / (double) n, 0.02);
        AugmentationSettings noFlip = new AugmentationSettings(S, false, 0.1, 42);
        ImagePreprocessor q = new ImagePreprocessor(noFlip, TestImages.zeroMeanStats());
        for (long seed = 0; seed < 100; seed++) {
            assertTrue(!q.drawAugmentation(seed).flip());
        }
    }

    @Test
    void lightingAddsOneOffsetPerImageWithThePapersCovariance() {
        DatasetStats stats = TestImages.zeroMeanStats();
        ImagePreprocessor p = preprocessor(stats, 0.1);
        int n = 40_000;
        double[] sum = new double[3];
        double[][] cross = new double[3][3];
        for (long seed = 0; seed < n; seed++) {
            float[] o = p.drawAugmentation(seed).rgbOffset();
            for (int r = 0; r < 3; r++) {
                sum[r] += o[r];
                for (int c = 0; c < 3; c++) {
                    cross[r][c] += o[r] * (double) o[c];
                }
            }
        }
        // Expected: 0.01 * P diag(l01^2) P^T on [0,1] pixels, times 255^2 on the 0-255 scale
        // (l01 = eigenvalue / 255^2, the published 0.2175, 0.0188, 0.0045).
        double[] l01 = TestImages.IMAGENET_EIGENVALUES_01;
        double[] vec = TestImages.IMAGENET_EIGENVECTORS;
        double top = 0.01 * Math.pow(l01[0] * 255, 2);
        for (int r = 0; r < 3; r++) {
            assertEquals(0, sum[r] / n, 0.1, "offsets are centred");
            for (int c = 0; c < 3; c++) {
                double expected = 0;
                for (int i = 0; i < 3; i++) {
                    expected += 0.01 * vec[r * 3 + i] * Math.pow(l01[i] * 255, 2) * vec[c * 3 + i];
                }
                double actual = cross[r][c] / n - (sum[r] / n) * (sum[c] / n);
                assertEquals(expected, actual, 0.04 * top, "covariance[" + r + "][" + c + "]");
            }
        }
        // each direction separately: variance of the projection on p_i is 0.01 * (255 l01_i)^2
        for (int i = 0; i < 3; i++) {
            double var = 0;
            for (long seed = 0; seed < n; seed++) {
                float[] o = p.drawAugmentation(seed).rgbOffset();
                double proj = vec[i] * o[0] + vec[3 + i] * o[1] + vec[6 + i] * o[2];
                var += proj * proj;
            }
            double expected = 0.01 * Math.pow(l01[i] * 255, 2);
            assertEquals(expected, var / n, 0.04 * expected, "variance along eigenvector " + i);
        }

        // and the offset is added to every pixel of the crop
        byte[] patch = patch(p, TestImages.coordinatePatch());
        Augmentation a = p.drawAugmentation(7);
        assertNotEquals(0f, a.rgbOffset()[0]);
        float[] out = new float[3 * PLANE];
        p.writeTrainView(patch, a, out, 0);
        assertView(out, 0, patch, new float[SIZE * SIZE * 3], a.x(), a.y(), a.flip(), a.rgbOffset());
    }

    @Test
    void seedsDependOnEveryComponentAndOnNothingElse() {
        AugmentationSettings s = AugmentationSettings.paper(S, 42);
        ChunkId chunk = new ChunkId(3, 5, 1);
        assertEquals(s.exampleSeed(chunk, 9), AugmentationSettings.paper(S, 42).exampleSeed(new ChunkId(3, 5, 1), 9));
        Set<Long> seeds = new HashSet<>();
        seeds.add(s.exampleSeed(chunk, 9));
        seeds.add(s.exampleSeed(new ChunkId(4, 5, 1), 9));
        seeds.add(s.exampleSeed(new ChunkId(3, 6, 1), 9));
        seeds.add(s.exampleSeed(new ChunkId(3, 5, 2), 9));
        seeds.add(s.exampleSeed(chunk, 10));
        seeds.add(AugmentationSettings.paper(S, 43).exampleSeed(chunk, 9));
        assertEquals(6, seeds.size());
        ImagePreprocessor p = preprocessor(TestImages.zeroMeanStats(), 0.1);
        Augmentation a = p.drawAugmentation(s.exampleSeed(chunk, 9));
        Augmentation b = p.drawAugmentation(s.exampleSeed(chunk, 9));
        assertEquals(a.x(), b.x());
        assertEquals(a.y(), b.y());
        assertEquals(a.flip(), b.flip());
        assertArrayEquals(a.rgbOffset(), b.rgbOffset());
    }

    @Test
    void smallCropsComeFromAResizedPatchMinusTheSameWayResizedMean() {
        // image == mean image (a gradient): after resizing both to 73, the views must be ~0
        byte[] gradient = TestImages.rgb(SIZE, SIZE, (x, y) -> x, (x, y) -> y, (x, y) -> (x + y) / 2);
        float[] mean = new float[SIZE * SIZE * 3];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = gradient[i] & 0xFF;
        }
        ImagePreprocessor p = new ImagePreprocessor(new AugmentationSettings(64, true, 0, 1), TestImages.stats(mean));
        assertEquals(73, p.geometry().patchSize());
        byte[] patch;
        try (PatchDecoder d = new PatchDecoder(p.geometry())) {
            patch = d.fromCentralRgb(gradient).clone();
        }
        assertEquals(73 * 73 * 3, patch.length);
        // the resized patch still spans the whole central patch: R = x runs 0..255 across 73 columns
        assertTrue(value(patch, 73, 0, 0, 0) <= 2 && value(patch, 73, 72, 0, 0) >= 253);
        float[] out = new float[10 * 3 * 64 * 64];
        p.writeTenViews(patch, out, 0);
        for (float v : out) {
            assertEquals(0, v, 0.51, "8-bit rounding of the resized patch is the only difference");
        }
        Augmentation a = p.drawAugmentation(3);
        assertTrue(a.x() >= 0 && a.x() <= 9 && a.y() >= 0 && a.y() <= 9);
    }
}
