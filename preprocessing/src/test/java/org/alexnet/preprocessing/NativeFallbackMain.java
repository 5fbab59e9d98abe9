package org.alexnet.preprocessing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Run in a child JVM by {@link NativeJpegTest}: transforms one file and prints which codec did it. */
public final class NativeFallbackMain {
    private NativeFallbackMain() {
    }

    public static void main(String[] args) throws Exception {
        ImageTransformer t = new ImageTransformer(90, 100_000_000L, true, false);
        ImageTransformer.StoredImage img = t.transform(Files.readAllBytes(Path.of(args[0])));
        ImageTransformerTest.storedImage(img);
        System.out.println("native=" + t.usesNativeCodec() + " codec=" + NativeJpeg.describe()
                + " stored " + img.width() + "x" + img.height());
    }
}
