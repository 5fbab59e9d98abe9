package org.alexnet.preprocessing;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Raw image bytes to the stored form: decoded to 8-bit colour (any JPEG flavour incl. CMYK/YCCK,
 * grayscale, PNG, WebP, TIFF, BMP; GIF and anything OpenCV refuses through ImageIO), resized so the
 * short side is {@value DatasetLayout#IMAGE_SIZE} with an antialiasing filter, re-encoded as JPEG.
 *
 * <p>YCbCr, RGB and grayscale JPEGs (nearly all of ImageNet) go through {@link NativeJpeg}
 * (libjpeg-turbo with SIMD, decode + resize + encode in one native call); everything else, and
 * every JPEG when that library cannot be loaded, through OpenCV (whose bundled libjpeg lacks SIMD)
 * and ImageIO. Both paths store the same thing: large JPEGs are decoded at 1/2, 1/4 or 1/8 scale in
 * the DCT domain (libjpeg's scaled IDCT, a proper low-pass, as Pillow's {@code draft}) when the
 * result still has a short side of at least 256; the rest of the reduction is area averaging (the
 * weights of OpenCV's {@code INTER_AREA}). Upscaling (images smaller than 256) uses bicubic. EXIF
 * orientation is ignored, as the usual ImageNet loaders do. One instance per task; not thread-safe.
 */
public final class ImageTransformer implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int SIZE = DatasetLayout.IMAGE_SIZE;

    static {
        // Spark (or the benchmark) already runs one task per core: no nested OpenCV threads.
        opencv_core.setNumThreads(0);
        ImageIO.setUseCache(false);
    }

    private final int jpegQuality;
    private final long maxPixels;
    private final boolean dctScaling;
    private final boolean keepTruncated;
    private final boolean nativeCodec;

    /** Uses the native JPEG codec when it loads in this JVM, else OpenCV. */
    public ImageTransformer(int jpegQuality, long maxPixels, boolean dctScaling, boolean keepTruncated) {
        this(jpegQuality, maxPixels, dctScaling, keepTruncated, true);
    }

    /** {@code nativeCodec = false} forces the OpenCV/ImageIO path (tests, benchmark comparison). */
    ImageTransformer(int jpegQuality, long maxPixels, boolean dctScaling, boolean keepTruncated, boolean nativeCodec) {
        this.jpegQuality = jpegQuality;
        this.maxPixels = maxPixels;
        this.dctScaling = dctScaling;
        this.keepTruncated = keepTruncated;
        this.nativeCodec = nativeCodec;
    }

    /** True when this instance sends JPEGs through {@link NativeJpeg}. */
    public boolean usesNativeCodec() {
        return nativeCodec && NativeJpeg.isAvailable();
    }

    /** From the job configuration. */
    public static ImageTransformer of(PreprocessSettings s) {
        return new ImageTransformer(s.jpegQuality(), s.maxPixels(), s.dctScaling(), s.keepTruncated());
    }

    /** A stored image: JPEG bytes and the size they decode to. */
    public record StoredImage(byte[] jpeg, int width, int height) {
    }

    /**
     * Transforms one file's bytes.
     *
     * @throws RejectedImageException with the reason when the file cannot become an image
     */
    public StoredImage transform(byte[] file) {
        ImageHeader header = ImageHeader.parse(file);
        if (header.declaredPixels() > maxPixels) {
            throw new RejectedImageException("header declares " + header.width() + "x" + header.height()
                    + " = " + header.declaredPixels() + " pixels, more than preprocess.max-pixels = " + maxPixels);
        }
        if (header.format() == ImageHeader.Format.JPEG && !keepTruncated && !ImageHeader.hasJpegEnd(file)) {
            throw new RejectedImageException("truncated JPEG: no end-of-image marker");
        }
        if (header.format() == ImageHeader.Format.JPEG && usesNativeCodec()) {
            StoredImage img = transformNative(file, header);
            if (img != null) {
                return img;
            }
            // CMYK/YCCK, or libjpeg refused the data: the other decoders accept or reject it as before
        }
        try (PointerScope scope = new PointerScope()) {
            Mat decoded = decode(file, header);
            Mat resized = resizeShortSide(decoded);
            return new StoredImage(encode(resized), resized.cols(), resized.rows());
        }
    }

    /**
     * Already decoded 8-bit pixels to the stored form, as {@link #transform} stores a file: resized
     * so the short side is {@value DatasetLayout#IMAGE_SIZE}, re-encoded as JPEG. The pixels are
     * row-major without padding, 1 (grey), 3 (BGR) or 4 (BGRA) bytes each, as Spark's image data
     * source ({@code org.apache.spark.ml.image.ImageSchema}) holds them.
     *
     * @throws RejectedImageException when the sizes do not fit the bytes or exceed preprocess.max-pixels
     */
    public StoredImage transformPixels(byte[] pixels, int width, int height, int channels) {
        if (width < 1 || height < 1 || (channels != 1 && channels != 3 && channels != 4)) {
            throw new RejectedImageException("not a decoded image: " + width + "x" + height + " with " + channels
                    + " channels (1, 3 or 4 expected)");
        }
        if ((long) width * height > maxPixels) {
            throw new RejectedImageException(width + "x" + height + " = " + (long) width * height
                    + " pixels, more than preprocess.max-pixels = " + maxPixels);
        }
        if (pixels == null || pixels.length != (long) width * height * channels) {
            throw new RejectedImageException("a " + width + "x" + height + "x" + channels + " image needs "
                    + (long) width * height * channels + " bytes, got " + (pixels == null ? 0 : pixels.length));
        }
        try (PointerScope scope = new PointerScope()) {
            Mat m = new Mat(height, width, opencv_core.CV_8UC(channels));
            m.data().put(pixels);
            Mat bgr = m;
            if (channels != 3) {
                bgr = new Mat();
                cvtColor(m, bgr, channels == 1 ? COLOR_GRAY2BGR : COLOR_BGRA2BGR);
            }
            Mat resized = resizeShortSide(bgr);
            return new StoredImage(encode(resized), resized.cols(), resized.rows());
        }
    }

    /** The native path, or null when the file must go through OpenCV/ImageIO. */
    private StoredImage transformNative(byte[] file, ImageHeader header) {
        if (Math.min(header.width(), header.height()) >= SIZE) {
            int denom = dctScaling ? NativeJpeg.scaleDenominator(header.width(), header.height(), SIZE) : 1;
            NativeJpeg.Result r = NativeJpeg.transform(file, denom, SIZE, jpegQuality);
            if (r.status() == NativeJpeg.OK) {
                return new StoredImage(r.jpeg(), r.width(), r.height());
            }
            if (r.status() != NativeJpeg.TOO_SMALL) {   // the frame is smaller than the header said
                return null;
            }
        }
        // Enlarging (rare): native decode, OpenCV's bicubic, native encode.
        NativeJpeg.Rgb rgb = NativeJpeg.decodeRgb(file, 1);
        if (rgb == null) {
            return null;
        }
        try (PointerScope scope = new PointerScope()) {
            Mat m = new Mat(rgb.height(), rgb.width(), opencv_core.CV_8UC3);
            m.data().put(rgb.pixels());
            Mat resized = resizeShortSide(m);          // channel order does not matter to resize
            byte[] pixels = new byte[resized.cols() * resized.rows() * 3];
            resized.data().get(pixels);
            return new StoredImage(NativeJpeg.encodeRgb(pixels, resized.cols(), resized.rows(), jpegQuality),
                    resized.cols(), resized.rows());
        }
    }

    /**
     * Decodes a stored JPEG and returns its central {@value DatasetLayout#IMAGE_SIZE}-square patch
     * as RGB bytes, HWC (the pixels the mean image and the colour PCA are computed over).
     */
    public static byte[] centralPatchRgb(byte[] storedJpeg) {
        NativeJpeg.Rgb rgb = NativeJpeg.isAvailable() ? NativeJpeg.decodeRgb(storedJpeg, 1) : null;
        if (rgb != null) {
            if (Math.min(rgb.width(), rgb.height()) != SIZE) {
                throw new IllegalStateException("stored JPEG does not decode to a short side of " + SIZE);
            }
            int x0 = DatasetLayout.centralOffset(rgb.width());
            int y0 = DatasetLayout.centralOffset(rgb.height());
            byte[] out = new byte[SIZE * SIZE * 3];
            for (int y = 0; y < SIZE; y++) {
                System.arraycopy(rgb.pixels(), ((y0 + y) * rgb.width() + x0) * 3, out, y * SIZE * 3, SIZE * 3);
            }
            return out;
        }
        try (PointerScope scope = new PointerScope()) {
            Mat bgr = imdecode(new Mat(storedJpeg), IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION);
            if (bgr.empty() || Math.min(bgr.cols(), bgr.rows()) != SIZE) {
                throw new IllegalStateException("stored JPEG does not decode to a short side of " + SIZE);
            }
            Mat patch = new Mat(bgr, new Rect(DatasetLayout.centralOffset(bgr.cols()),
                    DatasetLayout.centralOffset(bgr.rows()), SIZE, SIZE)).clone();
            byte[] out = new byte[SIZE * SIZE * 3];
            patch.data().get(out);
            for (int i = 0; i < out.length; i += 3) {     // BGR -> RGB
                byte b = out[i];
                out[i] = out[i + 2];
                out[i + 2] = b;
            }
            return out;
        }
    }

    private Mat decode(byte[] file, ImageHeader header) {
        int flags = IMREAD_COLOR;
        if (header.format() == ImageHeader.Format.JPEG && dctScaling) {
            int shortSide = Math.min(header.width(), header.height());
            flags = shortSide >= 8 * SIZE ? IMREAD_REDUCED_COLOR_8
                    : shortSide >= 4 * SIZE ? IMREAD_REDUCED_COLOR_4
                    : shortSide >= 2 * SIZE ? IMREAD_REDUCED_COLOR_2 : IMREAD_COLOR;
        }
        Mat m = imdecode(new Mat(file), flags | IMREAD_IGNORE_ORIENTATION);
        if (m != null && !m.empty()) {
            return m;
        }
        return decodeWithImageIo(file, header);
    }

    /** The fallback for what OpenCV does not read (e.g. GIF): ImageIO with TwelveMonkeys' plugins. */
    private static Mat decodeWithImageIo(byte[] file, ImageHeader header) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(file));
        } catch (IOException | RuntimeException e) {
            throw new RejectedImageException("cannot decode " + header.format() + ": " + e.getMessage());
        }
        if (img == null) {
            throw new RejectedImageException("cannot decode " + header.format() + " (no decoder accepted it)");
        }
        BufferedImage bgr = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        var g = bgr.createGraphics();
        g.drawImage(img, 0, 0, null);
        g.dispose();
        byte[] pixels = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        Mat m = new Mat(bgr.getHeight(), bgr.getWidth(), opencv_core.CV_8UC3);
        m.data().put(pixels);
        return m;
    }

    private static Mat resizeShortSide(Mat src) {
        int w = src.cols();
        int h = src.rows();
        int shortSide = Math.min(w, h);
        if (shortSide == SIZE) {
            return src;
        }
        int nw = w <= h ? SIZE : (int) Math.round((double) w * SIZE / h);
        int nh = w <= h ? (int) Math.round((double) h * SIZE / w) : SIZE;
        Mat dst = new Mat();
        resize(src, dst, new Size(nw, nh), 0, 0, shortSide > SIZE ? INTER_AREA : INTER_CUBIC);
        return dst;
    }

    private byte[] encode(Mat img) {
        BytePointer out = new BytePointer();
        if (!imencode(".jpg", img, out, new IntPointer(IMWRITE_JPEG_QUALITY, jpegQuality))) {
            throw new IllegalStateException("JPEG encoding failed for a " + img.cols() + "x" + img.rows() + " image");
        }
        byte[] bytes = new byte[(int) out.limit()];
        out.get(bytes);
        return bytes;
    }
}
