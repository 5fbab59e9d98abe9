package org.alexnet.preprocessing;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** Every {@link ImageTransformerTest} on the OpenCV/ImageIO path, used when the native codec cannot load. */
class ImageTransformerOpenCvTest extends ImageTransformerTest {
    @Override
    ImageTransformer newTransformer(boolean keepTruncated) {
        return new ImageTransformer(90, 10_000_000L, true, keepTruncated, false);
    }

    @Test
    void reallyUsesOpenCv() {
        assertFalse(newTransformer(false).usesNativeCodec(), "nativeCodec=false forces the fallback");
    }
}
