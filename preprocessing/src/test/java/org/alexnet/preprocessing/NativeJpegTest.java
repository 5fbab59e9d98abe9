package org.alexnet.preprocessing;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/** The native libjpeg-turbo codec against OpenCV's and ImageIO's, its scale choice and its fallback. */
class NativeJpegTest {
    private final BufferedImage photo = TestImages.pattern(400, 300, 1);

    @Test
    void libraryLoadsOnLinuxX8664() {
        // The build machine is the platform the jar ships a library for: a silent fallback here
        // would leave the native path untested.
        assertEquals("native/linux-x86_64/libalexnet_jpeg.so", NativeJpeg.resourcePath("Linux", "amd64"));
        if (NativeJpeg.resourcePath(System.getProperty("os.name"), System.getProperty("os.arch"))
                .equals("native/linux-x86_64/libalexnet_jpeg.so")) {
            assertTrue(NativeJpeg.isAvailable(), "native codec loads: " + NativeJpeg.unavailableReason());
            assertTrue(NativeJpeg.describe().startsWith("native libjpeg-turbo 2."), NativeJpeg.describe());
        }
    }

    @Test
    void decodeMatchesOpenCvAtEveryScale() {
        byte[] jpeg = TestImages.jpeg(TestImages.pattern(1001, 803, 4), 0.9f, false);
        int[] flags = {IMREAD_COLOR, IMREAD_REDUCED_COLOR_2, IMREAD_REDUCED_COLOR_4, IMREAD_REDUCED_COLOR_8};
        for (int i = 0; i < 4; i++) {
            int denom = 1 << i;
            NativeJpeg.Rgb rgb = NativeJpeg.decodeRgb(jpeg, denom);
            assertNotNull(rgb, "decodes at 1/" + denom);
            assertEquals((1001 + denom - 1) / denom, rgb.width(), "width at 1/" + denom + " (libjpeg rounds up)");
            assertEquals((803 + denom - 1) / denom, rgb.height(), "height at 1/" + denom);
            byte[] bgr = openCvBgr(jpeg, flags[i], rgb.width(), rgb.height());
            // Both are libjpeg-turbo with the same IDCT and upsampling: (nearly) identical pixels.
            assertTrue(meanAbsDiff(rgb.pixels(), swapRb(bgr)) < 0.5, "same pixels as OpenCV at 1/" + denom
                    + ", mean diff " + meanAbsDiff(rgb.pixels(), swapRb(bgr)));
        }
    }

    @Test
    void grayscaleAndProgressiveDecode() {
        NativeJpeg.Rgb gray = NativeJpeg.decodeRgb(TestImages.jpeg(TestImages.gray(photo), 0.92f, false), 1);
        assertNotNull(gray, "grayscale JPEG decodes");
        for (int i = 0; i < gray.pixels().length; i += 3) {
            assertEquals(gray.pixels()[i], gray.pixels()[i + 1], "grey replicated to G at " + i / 3);
            assertEquals(gray.pixels()[i], gray.pixels()[i + 2], "grey replicated to B at " + i / 3);
        }
        byte[] progressive = TestImages.jpeg(photo, 0.9f, true);
        NativeJpeg.Rgb p = NativeJpeg.decodeRgb(progressive, 1);
        assertNotNull(p, "progressive JPEG decodes");
        assertTrue(meanAbsDiff(p.pixels(), swapRb(openCvBgr(progressive, IMREAD_COLOR, 400, 300))) < 0.5,
                "progressive pixels as OpenCV decodes them");
    }

    @Test
    void cmykAndBrokenJpegsAreLeftToTheOtherDecoders() {
        byte[] cmyk = TestImages.cmykJpeg(photo, false);
        assertEquals(NativeJpeg.UNSUPPORTED, NativeJpeg.transform(cmyk, 1, 256, 90).status(), "CMYK is not converted natively");
        assertNull(NativeJpeg.decodeRgb(TestImages.cmykJpeg(photo, true), 1), "YCCK is not converted natively");
        byte[] jpeg = TestImages.jpeg(photo, 0.9f, false);
        assertNull(NativeJpeg.decodeRgb(Arrays.copyOf(jpeg, 200), 1), "cut inside the headers: libjpeg error, no crash");
        assertNull(NativeJpeg.decodeRgb("not a jpeg".getBytes(StandardCharsets.US_ASCII), 1), "not a JPEG");
        assertNull(NativeJpeg.decodeRgb(new byte[0], 1), "empty");
        NativeJpeg.Rgb cut = NativeJpeg.decodeRgb(Arrays.copyOf(jpeg, jpeg.length * 2 / 3), 1);
        assertNotNull(cut, "cut in the scan data: decodes what is there, as OpenCV and Pillow do");
        assertEquals(400, cut.width());
    }

    @Test
    void encodeIsAJpegOfTheRightQuality() throws IOException {
        byte[] rgb = rgbOf(TestImages.pattern(400, 300, 1, 2));   // smooth: the error is the codec's, not the noise's
        byte[] q90 = NativeJpeg.encodeRgb(rgb, 400, 300, 90);
        byte[] q50 = NativeJpeg.encodeRgb(rgb, 400, 300, 50);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(q90));
        assertEquals(400, decoded.getWidth());
        assertEquals(300, decoded.getHeight());
        double error = meanAbsDiff(rgbOf(decoded), rgb);
        assertTrue(error < 1.5, "q90 round trip within JPEG tolerance: " + error);
        // OpenCV's encoder at the same quality (same libjpeg settings) makes the same error.
        byte[] cv;
        try (PointerScope scope = new PointerScope()) {
            Mat m = new Mat(300, 400, org.bytedeco.opencv.global.opencv_core.CV_8UC3);
            m.data().put(swapRb(rgb));
            BytePointer buf = new BytePointer();
            assertTrue(imencode(".jpg", m, buf, new IntPointer(IMWRITE_JPEG_QUALITY, 90)));
            cv = new byte[(int) buf.limit()];
            buf.get(cv);
        }
        double cvError = meanAbsDiff(rgbOf(ImageIO.read(new ByteArrayInputStream(cv))), rgb);
        assertEquals(cvError, error, 0.2, "same error as OpenCV's q90 encode");
        assertEquals(cv.length, q90.length, 0.05 * cv.length, "about the size of OpenCV's q90 encode");
        assertTrue(q50.length < q90.length, "quality is applied (q50 " + q50.length + " < q90 " + q90.length + " bytes)");
        assertTrue(TestImages.hexMarkers(q90).contains("c0("), "baseline JPEG (SOF0), as OpenCV and Pillow write: " + TestImages.hexMarkers(q90));
        assertFalse(ImageHeader.parse(q90).progressive());
        assertThrows(IllegalArgumentException.class, () -> NativeJpeg.encodeRgb(new byte[10], 400, 300, 90));
    }

    @Test
    void scaleDenominatorKeepsTheShortSideAtLeast256() {
        assertEquals(1, NativeJpeg.scaleDenominator(500, 375, 256));
        assertEquals(1, NativeJpeg.scaleDenominator(1100, 511, 256));
        assertEquals(2, NativeJpeg.scaleDenominator(1100, 512, 256));
        assertEquals(2, NativeJpeg.scaleDenominator(1100, 1023, 256));
        assertEquals(4, NativeJpeg.scaleDenominator(1100, 1024, 256));
        assertEquals(4, NativeJpeg.scaleDenominator(3000, 2047, 256), "whole blocks only, as Pillow's draft");
        assertEquals(8, NativeJpeg.scaleDenominator(3000, 2048, 256));
        assertEquals(8, NativeJpeg.scaleDenominator(60000, 60000, 256), "never more than 1/8");
        assertEquals(1, NativeJpeg.scaleDenominator(100, 5000, 256), "short side decides");
    }

    @Test
    void nativeTransformMatchesTheOpenCvPath() {
        ImageTransformer nat = new ImageTransformer(90, 100_000_000L, true, false, true);
        ImageTransformer cv = new ImageTransformer(90, 100_000_000L, true, false, false);
        assertTrue(nat.usesNativeCodec());
        // plain area resize, each DCT scale, exact 256, enlarging, portrait, grayscale
        int[][] sizes = {{500, 375}, {375, 500}, {600, 530}, {1100, 1024}, {2100, 2050}, {256, 300}, {200, 150}, {333, 500}};
        for (int[] s : sizes) {
            BufferedImage src = TestImages.pattern(s[0], s[1], 5);
            for (byte[] file : List.of(TestImages.jpeg(src, 0.92f, false), TestImages.jpeg(TestImages.gray(src), 0.92f, true))) {
                ImageTransformer.StoredImage a = nat.transform(file);
                ImageTransformer.StoredImage b = cv.transform(file);
                String what = Arrays.toString(s);
                assertEquals(b.width(), a.width(), "width for " + what);
                assertEquals(b.height(), a.height(), "height for " + what);
                byte[] pa = rgbOf(ImageTransformerTest.storedImage(a));
                byte[] pb = rgbOf(ImageTransformerTest.storedImage(b));
                // Two JPEG generations apart at most by rounding: tolerance of a q90 re-encode.
                assertTrue(meanAbsDiff(pa, pb) < 1.0, "same stored pixels for " + what + ", mean diff " + meanAbsDiff(pa, pb));
            }
        }
    }

    @Test
    void nativeDownscaleAveragesAreas() {
        // One-pixel black/white stripes at q100, no DCT scaling: each stored pixel is the mean over
        // its cell [x*s, (x+1)*s) of the source (mid-grey at an integer ratio); point sampling or a
        // narrow filter would give values near 0 or 255.
        ImageTransformer noDct = new ImageTransformer(100, 100_000_000L, false, false, true);
        for (int size : new int[]{512, 700, 1024}) {
            BufferedImage stripes = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) stripes.getRaster().setSample(x, y, 0, x % 2 == 0 ? 0 : 255);
            BufferedImage stored = ImageTransformerTest.storedImage(noDct.transform(TestImages.jpeg(stripes, 1.0f, false)));
            double scale = size / 256.0;
            for (int x = 10; x < 246; x += 37) {
                double sum = 0;
                for (int sx = (int) Math.floor(x * scale); sx < Math.ceil((x + 1) * scale); sx++) {
                    double cover = Math.min(sx + 1, (x + 1) * scale) - Math.max(sx, x * scale);
                    sum += cover * (sx % 2 == 0 ? 0 : 255);
                }
                double expected = sum / scale;
                int v = stored.getRaster().getSample(x, 128, 0);
                assertEquals(expected, v, 6, size + " px: pixel " + x + " is its cell's mean");
            }
        }
    }

    @Test
    void centralPatchUsesTheNativeDecoderWithTheSamePixels() {
        ImageTransformer.StoredImage img = new ImageTransformer(90, 100_000_000L, true, false)
                .transform(TestImages.jpeg(TestImages.pattern(600, 300, 3), 0.9f, false));
        byte[] patch = ImageTransformer.centralPatchRgb(img.jpeg());
        byte[] bgr = openCvBgr(img.jpeg(), IMREAD_COLOR, img.width(), img.height());
        byte[] rgb = swapRb(bgr);
        int x0 = DatasetLayout.centralOffset(img.width());
        byte[] expected = new byte[256 * 256 * 3];
        for (int y = 0; y < 256; y++) System.arraycopy(rgb, (y * img.width() + x0) * 3, expected, y * 768, 768);
        assertTrue(meanAbsDiff(patch, expected) < 0.5, "patch = OpenCV's decode of the same bytes");
    }

    @Test
    void loaderReportsWhyItCannotLoadInsteadOfThrowing() throws IOException {
        assertNull(NativeJpeg.resourcePath("Mac OS X", "aarch64"), "no library for macOS");
        assertNull(NativeJpeg.resourcePath("Windows 10", "amd64"), "no library for Windows");
        assertEquals("native/linux-aarch64/libalexnet_jpeg.so", NativeJpeg.resourcePath("Linux", "aarch64"));
        assertTrue(NativeJpeg.load(null).startsWith("no native library for"));
        assertTrue(NativeJpeg.load("native/linux-sparc/libalexnet_jpeg.so").contains("not in the jar"));
        // A resource that is not a loadable library (a corrupt or foreign-architecture .so)
        String reason = NativeJpeg.load("/not-a-library.so");
        assertNotNull(reason);
        assertTrue(reason.contains("cannot load") && reason.contains("UnsatisfiedLinkError"), reason);
    }

    @Test
    void withoutTheLibraryTheJvmFallsBackToOpenCv() throws Exception {
        // A fresh JVM in which the library is not loaded, as on a platform without it.
        Path jpeg = Files.createTempFile("fallback", ".jpg");
        try {
            Files.write(jpeg, TestImages.jpeg(TestImages.pattern(640, 480, 7), 0.9f, false));
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dalexnet.native-jpeg.disable=true", "-cp", System.getProperty("java.class.path"),
                    NativeFallbackMain.class.getName(), jpeg.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("native=false"), out);
            assertTrue(out.contains("OpenCV fallback (disabled by"), out);
            assertTrue(out.contains("stored 341x256"), out);
        } finally {
            Files.deleteIfExists(jpeg);
        }
    }

    private static byte[] openCvBgr(byte[] jpeg, int flags, int w, int h) {
        try (PointerScope scope = new PointerScope()) {
            Mat m = imdecode(new Mat(jpeg), flags);
            assertEquals(w, m.cols(), "OpenCV width");
            assertEquals(h, m.rows(), "OpenCV height");
            byte[] out = new byte[w * h * 3];
            m.data().get(out);
            return out;
        }
    }

    private static byte[] swapRb(byte[] bgr) {
        byte[] rgb = bgr.clone();
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 2] = bgr[i];
        }
        return rgb;
    }

    static byte[] rgbOf(BufferedImage img) {
        byte[] out = new byte[img.getWidth() * img.getHeight() * 3];
        int i = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {   // getRGB would apply a gamma curve
                    int g = img.getRaster().getSample(x, y, 0);
                    rgb = (g << 16) | (g << 8) | g;
                }
                out[i++] = (byte) (rgb >> 16);
                out[i++] = (byte) (rgb >> 8);
                out[i++] = (byte) rgb;
            }
        }
        return out;
    }

    private static double meanAbsDiff(byte[] a, byte[] b) {
        assertEquals(a.length, b.length, "same number of samples");
        long sum = 0;
        for (int i = 0; i < a.length; i++) sum += Math.abs((a[i] & 255) - (b[i] & 255));
        return (double) sum / a.length;
    }
}
