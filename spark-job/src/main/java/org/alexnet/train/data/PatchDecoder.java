package org.alexnet.train.data;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.alexnet.preprocessing.DatasetLayout;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Stored JPEG to the patch crops are cut from: decode (OpenCV's libjpeg-turbo, as preprocessing),
 * cut the central 256x256 at {@link DatasetLayout#centralOffset}, BGR to RGB, and for crop sizes
 * other than 224 resize to {@link PatchGeometry#patchSize()}. The result is RGB bytes, HWC, in a
 * buffer this decoder reuses for every image: one decoder per thread, not thread-safe, and the
 * returned array is overwritten by the next call.
 */
final class PatchDecoder implements AutoCloseable {
    private static final int SIZE = DatasetLayout.IMAGE_SIZE;

    static {
        // Parallelism comes from the stream's decode threads; OpenCV's own pool would oversubscribe.
        opencv_core.setNumThreads(0);
    }

    private final PatchGeometry geometry;
    private final Mat decoded = new Mat();
    private final Mat central = new Mat(SIZE, SIZE, opencv_core.CV_8UC3);
    private final Mat resized = new Mat();
    private final byte[] patch;

    PatchDecoder(PatchGeometry geometry) {
        this.geometry = geometry;
        this.patch = new byte[geometry.patchSize() * geometry.patchSize() * 3];
    }

    /** The RGB patch of a stored JPEG (reused buffer). */
    byte[] decode(byte[] jpeg) {
        try (PointerScope scope = new PointerScope()) {
            // imdecode leaves dst untouched when it cannot decode: without this, bad bytes would
            // pass as the previous image
            decoded.release();
            try {
                imdecode(new Mat(jpeg), IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION, decoded);
            } catch (RuntimeException e) {
                throw new CorruptImageException("cannot decode: " + e.getMessage());
            }
            if (decoded.empty()) {
                throw new CorruptImageException("cannot decode (" + jpeg.length + " bytes)");
            }
            int w = decoded.cols();
            int h = decoded.rows();
            if (Math.min(w, h) != SIZE) {
                throw new IllegalStateException("decodes to " + w + "x" + h + ", not a stored image with short side " + SIZE);
            }
            Mat roi = new Mat(decoded, new Rect(DatasetLayout.centralOffset(w), DatasetLayout.centralOffset(h), SIZE, SIZE));
            cvtColor(roi, central, COLOR_BGR2RGB);
        }
        return finishPatch();
    }

    /** The patch of an already decoded central 256x256 patch (RGB, HWC): the exact path for tests. */
    byte[] fromCentralRgb(byte[] rgb256) {
        if (rgb256.length != SIZE * SIZE * 3) {
            throw new IllegalArgumentException("expected " + SIZE + "x" + SIZE + "x3 bytes, got " + rgb256.length);
        }
        central.data().put(rgb256);
        return finishPatch();
    }

    private byte[] finishPatch() {
        Mat out = central;
        if (geometry.resizes()) {
            try (PointerScope scope = new PointerScope()) {
                int p = geometry.patchSize();
                resize(central, resized, new Size(p, p), 0, 0, MeanWindow.interpolation(geometry));
            }
            out = resized;
        }
        out.data().get(patch);
        return patch;
    }

    @Override
    public void close() {
        decoded.close();
        central.close();
        resized.close();
    }
}
