package org.alexnet.train.data;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.DatasetStats;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The mean image on the patch grid, as three planes (R, G, B) of patchSize^2 floats, so that the
 * mean under a crop pixel is the mean of the very patch pixel it was cut from. For crop sizes other
 * than 224 the mean image is resized exactly as the patches are (same filter); resizing is linear
 * in the pixel values, so this equals the mean of the resized patches up to 8-bit rounding.
 */
final class MeanWindow {
    private MeanWindow() {
    }

    /** Area averaging to shrink (the antialiasing filter preprocessing uses), bilinear to enlarge. */
    static int interpolation(PatchGeometry g) {
        return g.patchSize() < DatasetLayout.IMAGE_SIZE ? INTER_AREA : INTER_LINEAR;
    }

    static float[][] planes(DatasetStats stats, PatchGeometry geometry) {
        int size = DatasetLayout.IMAGE_SIZE;
        if (stats.meanImage().length != size * size * 3) {
            throw new IllegalArgumentException("mean image must hold " + size + "*" + size + "*3 floats, got "
                    + stats.meanImage().length);
        }
        float[] hwc = geometry.resizes() ? resized(stats.meanImage(), geometry) : stats.meanImage();
        int pixels = geometry.patchSize() * geometry.patchSize();
        float[][] planes = new float[3][pixels];
        for (int i = 0; i < pixels; i++) {
            for (int c = 0; c < 3; c++) {
                planes[c][i] = hwc[i * 3 + c];
            }
        }
        return planes;
    }

    private static float[] resized(float[] meanHwc, PatchGeometry geometry) {
        int p = geometry.patchSize();
        float[] out = new float[p * p * 3];
        try (PointerScope scope = new PointerScope()) {
            Mat mean = new Mat(new FloatPointer(meanHwc)).reshape(3, DatasetLayout.IMAGE_SIZE);
            Mat dst = new Mat();
            resize(mean, dst, new Size(p, p), 0, 0, interpolation(geometry));
            new FloatPointer(dst.data()).get(out);
        }
        return out;
    }
}
