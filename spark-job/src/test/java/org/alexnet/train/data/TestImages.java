package org.alexnet.train.data;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.util.function.IntBinaryOperator;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.DatasetStats;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/** Real images and real dataset statistics for the pipeline tests. */
final class TestImages {
    static final int SIZE = DatasetLayout.IMAGE_SIZE;
    /** Published ImageNet PCA for [0,1] pixels (spec "Data"); columns are eigenvectors. */
    static final double[] IMAGENET_EIGENVALUES_01 = {0.2175, 0.0188, 0.0045};
    static final double[] IMAGENET_EIGENVECTORS = {
            -0.5675, 0.7192, 0.4009,
            -0.5808, -0.0045, -0.8140,
            -0.5836, -0.6948, 0.4203};

    private TestImages() {
    }

    /** RGB HWC bytes of a width x height image whose channel c at (x, y) is {@code channels[c](x, y) & 0xFF}. */
    static byte[] rgb(int width, int height, IntBinaryOperator r, IntBinaryOperator g, IntBinaryOperator b) {
        byte[] out = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                out[i] = (byte) r.applyAsInt(x, y);
                out[i + 1] = (byte) g.applyAsInt(x, y);
                out[i + 2] = (byte) b.applyAsInt(x, y);
            }
        }
        return out;
    }

    /** A 256x256 patch whose pixels encode their coordinates: R = x, G = y, B = (7x + 13y) mod 256. */
    static byte[] coordinatePatch() {
        return rgb(SIZE, SIZE, (x, y) -> x, (x, y) -> y, (x, y) -> 7 * x + 13 * y);
    }

    static int value(byte[] rgbHwc, int width, int x, int y, int c) {
        return rgbHwc[(y * width + x) * 3 + c] & 0xFF;
    }

    /** JPEG bytes of an RGB HWC image, encoded by OpenCV (as preprocessing stores them). */
    static byte[] jpeg(byte[] rgbHwc, int width, int height, int quality) {
        byte[] bgr = rgbHwc.clone();
        for (int i = 0; i < bgr.length; i += 3) {
            byte t = bgr[i];
            bgr[i] = bgr[i + 2];
            bgr[i + 2] = t;
        }
        try (PointerScope scope = new PointerScope()) {
            Mat m = new Mat(height, width, opencv_core.CV_8UC3);
            m.data().put(bgr);
            BytePointer out = new BytePointer();
            if (!imencode(".jpg", m, out, new IntPointer(IMWRITE_JPEG_QUALITY, quality))) {
                throw new IllegalStateException("imencode failed");
            }
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }

    /** A smooth, example-specific 256x256 JPEG (small JPEG error, distinct per seed). */
    static byte[] smoothJpeg(int seed) {
        int a = 17 * seed % 97;
        byte[] rgb = rgb(SIZE, SIZE, (x, y) -> 40 + (x + a) / 2, (x, y) -> 30 + (y + 2 * a) / 2,
                (x, y) -> 60 + ((x + y) / 4 + 3 * a) % 120);
        return jpeg(rgb, SIZE, SIZE, 95);
    }

    /** Dataset stats with the given mean image and the published ImageNet PCA, on the 0-255 scale. */
    static DatasetStats stats(float[] meanImage) {
        double s2 = 255.0 * 255.0;
        double[] values = new double[3];
        for (int i = 0; i < 3; i++) {
            values[i] = IMAGENET_EIGENVALUES_01[i] * s2;
        }
        double[] cov = new double[9];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                for (int i = 0; i < 3; i++) {
                    sum += IMAGENET_EIGENVECTORS[r * 3 + i] * values[i] * IMAGENET_EIGENVECTORS[c * 3 + i];
                }
                cov[r * 3 + c] = sum;
            }
        }
        return new DatasetStats(1000, meanImage, new double[]{123.7, 116.8, 103.9}, cov, values,
                IMAGENET_EIGENVECTORS.clone(), DatasetStats.PIXEL_SCALE_255);
    }

    static DatasetStats zeroMeanStats() {
        return stats(new float[SIZE * SIZE * 3]);
    }

    /** A mean image with a distinct fractional value at every (y, x, c). */
    static float[] coordinateMean() {
        float[] mean = new float[SIZE * SIZE * 3];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (i % 1000) / 8f + 0.125f * (i % 3);
        }
        return mean;
    }
}
