package org.alexnet.preprocessing;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Per-image decoding, resizing and rejection, on fixtures written here, through the default path
 * (the native JPEG codec where it loads); {@link ImageTransformerOpenCvTest} runs the same tests on
 * the OpenCV/ImageIO fallback.
 */
class ImageTransformerTest {
    private final ImageTransformer transformer = newTransformer(false);
    private final BufferedImage photo = TestImages.pattern(400, 300, 1);

    @Test
    void cmykAndYcckJpegsDecodeToTheirColours() {
        for (boolean ycck : new boolean[]{false, true}) {
            byte[] file = TestImages.cmykJpeg(photo, ycck);
            BufferedImage stored = storedImage(transformer.transform(file));
            assertMeanColourClose(photo, stored, 4, (ycck ? "YCCK" : "CMYK") + " JPEG");
        }
    }

    @Test
    void grayscaleJpegBecomesThreeEqualChannels() {
        BufferedImage gray = TestImages.gray(photo);
        BufferedImage stored = storedImage(transformer.transform(TestImages.jpeg(gray, 0.92f, false)));
        assertEquals(256, stored.getHeight(), "short side of the stored grayscale image");
        int rgb = stored.getRGB(100, 100);
        assertTrue(Math.abs(((rgb >> 16) & 255) - (rgb & 255)) <= 2, "grey stays grey (R == B)");
        // getRGB of a TYPE_BYTE_GRAY image applies a gamma curve: compare with the raw samples
        double mean = 0;
        for (int y = 0; y < gray.getHeight(); y++) for (int x = 0; x < gray.getWidth(); x++) mean += gray.getRaster().getSample(x, y, 0);
        mean /= gray.getWidth() * gray.getHeight();
        double[] storedMean = meanRgb(stored);
        for (int c = 0; c < 3; c++) assertEquals(mean, storedMean[c], 3, "grey level kept in channel " + "RGB".charAt(c));
    }

    /** Decoded pixels as Spark's image data source holds them (BGR rows) store like the PNG of the same picture. */
    @Test
    void decodedPixelsStoreLikeTheirFile() {
        BufferedImage bgr = new BufferedImage(photo.getWidth(), photo.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        bgr.createGraphics().drawImage(photo, 0, 0, null);
        byte[] pixels = ((java.awt.image.DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        ImageTransformer.StoredImage fromPixels = transformer.transformPixels(pixels, photo.getWidth(), photo.getHeight(), 3);
        ImageTransformer.StoredImage fromFile = transformer.transform(TestImages.png(photo));
        assertEquals(fromFile.width(), fromPixels.width(), "stored width");
        assertEquals(256, fromPixels.height(), "short side 256");
        assertMeanColourClose(storedImage(fromFile), storedImage(fromPixels), 1, "pixels vs PNG");
        byte[] grey = new byte[40 * 30];
        java.util.Arrays.fill(grey, (byte) 90);
        double[] mean = meanRgb(storedImage(transformer.transformPixels(grey, 40, 30, 1)));
        for (int c = 0; c < 3; c++) {
            assertEquals(90, mean[c], 3, "a grey image stays grey in channel " + "RGB".charAt(c));
        }
        RejectedImageException e = org.junit.jupiter.api.Assertions.assertThrows(RejectedImageException.class,
                () -> transformer.transformPixels(new byte[10], 40, 30, 3));
        assertTrue(e.getMessage().contains("needs 3600 bytes, got 10"), e.getMessage());
    }

    @Test
    void formatComesFromTheBytesNotTheName() {
        byte[] png = TestImages.png(photo);   // what n02105855_2933.JPEG really is
        assertEquals(ImageHeader.Format.PNG, ImageHeader.parse(png).format(), "PNG recognised by its signature");
        assertMeanColourClose(photo, storedImage(transformer.transform(png)), 3, "PNG");
    }

    @Test
    void progressiveJpegDecodes() {
        byte[] progressive = TestImages.jpeg(photo, 0.9f, true);
        assertTrue(ImageHeader.parse(progressive).progressive(), "fixture really is progressive (SOF2)");
        assertMeanColourClose(photo, storedImage(transformer.transform(progressive)), 3, "progressive JPEG");
    }

    @Test
    void gifGoesThroughTheImageIoFallback() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(photo, "gif", out);
        ImageTransformer.StoredImage img = transformer.transform(out.toByteArray());
        assertEquals(256, Math.min(img.width(), img.height()), "GIF stored with a 256 short side");
    }

    @Test
    void everyStoredImageHasShortSide256AndKeepsItsAspect() {
        int[][] sizes = {{400, 300}, {300, 400}, {2600, 600}, {600, 2600}, {100, 80}, {256, 256}, {1100, 1024}, {257, 999}};
        for (int[] s : sizes) {
            ImageTransformer.StoredImage img = transformer.transform(TestImages.jpeg(TestImages.pattern(s[0], s[1], 2), 0.9f, false));
            BufferedImage decoded = storedImage(img);
            assertEquals(256, Math.min(decoded.getWidth(), decoded.getHeight()), "short side for " + Arrays.toString(s));
            assertEquals(img.width(), decoded.getWidth(), "recorded width matches the JPEG for " + Arrays.toString(s));
            assertEquals(img.height(), decoded.getHeight(), "recorded height matches the JPEG for " + Arrays.toString(s));
            double aspect = (double) s[0] / s[1];
            assertEquals(aspect, (double) img.width() / img.height(), 0.01 * aspect, "aspect kept for " + Arrays.toString(s));
        }
    }

    @Test
    void downscalingAveragesInsteadOfPointSampling() {
        // One-pixel black/white stripes: an area filter gives mid-grey, point sampling black or white.
        BufferedImage stripes = new BufferedImage(1024, 1024, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 1024; y++) for (int x = 0; x < 1024; x++) stripes.setRGB(x, y, x % 2 == 0 ? 0 : 0xFFFFFF);
        byte[] png = TestImages.png(stripes);
        BufferedImage stored = storedImage(transformer.transform(png));
        for (int x = 10; x < 246; x += 37) {
            int v = stored.getRGB(x, 128) & 255;
            assertTrue(Math.abs(v - 128) < 20, "pixel " + x + " is mid-grey (" + v + "), not a sampled stripe");
        }
    }

    @Test
    void badFilesAreRejectedWithAReason() {
        byte[] jpeg = TestImages.jpeg(photo, 0.9f, false);
        assertRejected(new byte[0], "empty");
        assertRejected("not an image\n".getBytes(StandardCharsets.UTF_8), "not an image");
        assertRejected(Arrays.copyOf(jpeg, jpeg.length * 2 / 3), "truncated");
        assertRejected(Arrays.copyOf(jpeg, 20), "truncated");
        assertRejected(TestImages.pngHeaderOnly(100_000, 100_000), "max-pixels");
        assertRejected(TestImages.jpegDeclaring(jpeg, 60_000, 60_000), "max-pixels");
        byte[] garbage = jpeg.clone();
        Arrays.fill(garbage, 4, garbage.length - 2, (byte) 0x5A);
        assertThrows(RejectedImageException.class, () -> transformer.transform(garbage), "a JPEG with garbage instead of segments");
    }

    @Test
    void keepTruncatedKeepsARecoverableJpegButNotAHeaderOnlyOne() {
        ImageTransformer lenient = newTransformer(true);
        byte[] jpeg = TestImages.jpeg(photo, 0.9f, false);
        ImageTransformer.StoredImage img = lenient.transform(Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
        assertEquals(256, Math.min(img.width(), img.height()), "a JPEG cut at 2/3 is kept when keep-truncated is on");
        assertThrows(RejectedImageException.class, () -> lenient.transform(Arrays.copyOf(jpeg, 200)),
                "a JPEG cut inside its headers is rejected even with keep-truncated");
    }

    @Test
    void centralPatchIsTheMiddleOfTheStoredImage() {
        ImageTransformer.StoredImage img = transformer.transform(TestImages.jpeg(TestImages.pattern(600, 300, 3), 0.9f, false));
        byte[] patch = ImageTransformer.centralPatchRgb(img.jpeg());
        BufferedImage stored = storedImage(img);
        int x0 = DatasetLayout.centralOffset(stored.getWidth());
        long diff = 0;
        for (int y = 0; y < 256; y += 15) {
            for (int x = 0; x < 256; x += 15) {
                int rgb = stored.getRGB(x0 + x, y);
                int i = (y * 256 + x) * 3;
                diff += Math.abs(((rgb >> 16) & 255) - (patch[i] & 255)) + Math.abs((rgb & 255) - (patch[i + 2] & 255));
            }
        }
        assertTrue(diff / (18.0 * 18 * 2) < 2, "patch pixels equal the stored image's central pixels (RGB order), mean diff " + diff / 648.0);
    }

    /** The transformer under test (q90, 10 MP, DCT scaling on). */
    ImageTransformer newTransformer(boolean keepTruncated) {
        return new ImageTransformer(90, 10_000_000L, true, keepTruncated);
    }

    private void assertRejected(byte[] file, String reasonPart) {
        RejectedImageException e = assertThrows(RejectedImageException.class, () -> transformer.transform(file));
        assertTrue(e.getMessage().contains(reasonPart), "reason '" + e.getMessage() + "' mentions " + reasonPart);
    }

    static BufferedImage storedImage(ImageTransformer.StoredImage img) {
        try {
            BufferedImage b = ImageIO.read(new ByteArrayInputStream(img.jpeg()));
            assertNotNull(b, "stored bytes are a readable JPEG");
            assertEquals(ImageHeader.Format.JPEG, ImageHeader.parse(img.jpeg()).format(), "stored as JPEG");
            return b;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertMeanColourClose(BufferedImage expected, BufferedImage actual, double tolerance, String what) {
        double[] a = meanRgb(expected), b = meanRgb(actual);
        for (int c = 0; c < 3; c++) {
            assertEquals(a[c], b[c], tolerance, what + ": mean of channel " + "RGB".charAt(c) + " preserved");
        }
        assertEquals(256, Math.min(actual.getWidth(), actual.getHeight()), what + ": short side 256");
    }

    static double[] meanRgb(BufferedImage img) {
        double[] m = new double[3];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                m[0] += (rgb >> 16) & 255;
                m[1] += (rgb >> 8) & 255;
                m[2] += rgb & 255;
            }
        }
        for (int c = 0; c < 3; c++) m[c] /= (double) img.getWidth() * img.getHeight();
        return m;
    }
}
