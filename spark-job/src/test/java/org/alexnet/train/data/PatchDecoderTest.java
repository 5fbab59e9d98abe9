package org.alexnet.train.data;

import static org.alexnet.train.data.TestImages.SIZE;
import static org.alexnet.train.data.TestImages.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Real JPEG bytes through OpenCV: the central patch, RGB order, corrupt and foreign images. */
class PatchDecoderTest {
    private static final int TOLERANCE = 4; // JPEG at quality 100 of smooth content

    /** Smooth content that still tells positions apart: R rises with x, G with y, B constant. */
    private static byte[] smooth(int w, int h) {
        return TestImages.rgb(w, h, (x, y) -> x * 255 / (w - 1), (x, y) -> y * 255 / (h - 1), (x, y) -> 60);
    }

    private static void assertCentralPatch(int w, int h) {
        byte[] source = smooth(w, h);
        int ox = (w - SIZE) / 2;
        int oy = (h - SIZE) / 2;
        byte[] patch;
        try (PatchDecoder d = new PatchDecoder(PatchGeometry.forCrop(224))) {
            patch = d.decode(TestImages.jpeg(source, w, h, 100)).clone();
        }
        for (int y = 0; y < SIZE; y += 5) {
            for (int x = 0; x < SIZE; x += 5) {
                for (int c = 0; c < 3; c++) {
                    int expected = value(source, w, x + ox, y + oy, c);
                    int actual = value(patch, SIZE, x, y, c);
                    assertTrue(Math.abs(expected - actual) <= TOLERANCE,
                            w + "x" + h + " at " + x + "," + y + " c" + c + ": " + expected + " vs " + actual);
                }
            }
        }
    }

    @Test
    void cutsTheCentralPatchOfWideAndTallImagesInRgbOrder() {
        assertCentralPatch(320, 256);
        assertCentralPatch(256, 301);
        assertCentralPatch(256, 256);
    }

    @Test
    void endToEndCentreViewOfAJpeg() {
        int w = 300;
        byte[] source = smooth(w, SIZE);
        float[] mean = new float[SIZE * SIZE * 3];
        Arrays.fill(mean, 50f);
        ImagePreprocessor p = new ImagePreprocessor(AugmentationSettings.paper(224, 1), TestImages.stats(mean));
        float[] view = p.centreView(TestImages.jpeg(source, w, SIZE, 100));
        int ox = (w - SIZE) / 2 + 16;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 224; i += 7) {
                for (int j = 0; j < 224; j += 7) {
                    float expected = value(source, w, ox + j, 16 + i, c) - 50f;
                    assertEquals(expected, view[c * 224 * 224 + i * 224 + j], TOLERANCE);
                }
            }
        }
    }

    @Test
    void bytesThatDoNotDecodeAreCorrupt() {
        try (PatchDecoder d = new PatchDecoder(PatchGeometry.forCrop(224))) {
            assertThrows(CorruptImageException.class, () -> d.decode("not an image".getBytes()));
            assertThrows(CorruptImageException.class, () -> d.decode(new byte[0]));
            byte[] jpeg = TestImages.smoothJpeg(1);
            assertThrows(CorruptImageException.class, () -> d.decode(Arrays.copyOf(jpeg, 20)));
            d.decode(jpeg); // the decoder still works afterwards
            // and a good image before does not make bad bytes look decodable
            assertThrows(CorruptImageException.class, () -> d.decode("not an image".getBytes()));
        }
    }

    @Test
    void anImageThatIsNotAStoredImageIsAnError() {
        try (PatchDecoder d = new PatchDecoder(PatchGeometry.forCrop(224))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> d.decode(TestImages.jpeg(smooth(200, 300), 200, 300, 90)));
            assertTrue(e.getMessage().contains("200x300"), e.getMessage());
        }
    }
}
