package org.alexnet.preprocessing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The fast JPEG path: {@code libalexnet_jpeg.so}, a small JNI library over libjpeg-turbo (SIMD,
 * statically linked; source in {@code src/main/native/}, built by Maven and shipped inside the jar).
 * It decodes baseline/progressive YCbCr, RGB and grayscale JPEGs straight to RGB (with DCT-domain
 * 1/2, 1/4, 1/8 scaling), area-averages to the stored size and encodes, in one call.
 *
 * <p>Why not OpenCV: the OpenCV build that shares JavaCPP 1.5.7 with ND4J bundles a libjpeg without
 * SIMD (encode ~5x, decode ~1.6x slower than Pillow's libjpeg-turbo).
 *
 * <p>The library is loaded once per class loader from a temporary copy of the jar resource. When it
 * cannot be loaded (another OS or architecture, a broken copy) {@link #isAvailable()} is false,
 * {@link #unavailableReason()} says why, and {@link ImageTransformer} uses OpenCV and ImageIO.
 * Thread-safe: the native calls keep no state between calls.
 */
public final class NativeJpeg {
    /** Native status codes (alexnet_jpeg.c). */
    static final int OK = 0;
    static final int UNSUPPORTED = 1;
    static final int ERROR = 2;
    static final int TOO_SMALL = 3;
    static final int NO_MEMORY = 4;

    static final String LIBRARY = "libalexnet_jpeg.so";

    private static final String UNAVAILABLE_REASON;

    static {
        String reason;
        if (Boolean.getBoolean("alexnet.native-jpeg.disable")) {
            reason = "disabled by -Dalexnet.native-jpeg.disable=true";
        } else {
            reason = load(resourcePath(System.getProperty("os.name"), System.getProperty("os.arch")));
        }
        UNAVAILABLE_REASON = reason;
        if (reason != null) {   // once per JVM (executor), so a slow fallback is never silent
            LoggerFactory.getLogger(NativeJpeg.class).warn("native JPEG codec not used, JPEGs go through OpenCV: {}", reason);
        }
    }

    private NativeJpeg() {
    }

    /** True when the native library is loaded and usable in this JVM. */
    public static boolean isAvailable() {
        return UNAVAILABLE_REASON == null;
    }

    /** Why the native library is not used, or null when it is. */
    public static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /** A one-line description for logs: what JPEG codec this JVM uses. */
    public static String describe() {
        return isAvailable()
                ? "native libjpeg-turbo " + versionString(libjpegTurboVersion0()) + " (SIMD)"
                : "OpenCV fallback (" + UNAVAILABLE_REASON + ")";
    }

    /** Decoded RGB pixels, HWC. */
    public record Rgb(byte[] pixels, int width, int height) {
    }

    /** The outcome of {@link #transform}: JPEG bytes and size on {@link #OK}, else only a status. */
    record Result(int status, byte[] jpeg, int width, int height) {
    }

    /**
     * The largest DCT-domain reduction, 1, 2, 4 or 8, that keeps the short side of a
     * width x height JPEG at least {@code minShortSide}, counting whole 8-pixel blocks as Pillow's
     * {@code draft} does (libjpeg itself rounds a scaled size up).
     */
    public static int scaleDenominator(int width, int height, int minShortSide) {
        long shortSide = Math.min(width, height);
        for (int d = 8; d > 1; d /= 2) {
            if (shortSide >= (long) d * minShortSide) {
                return d;
            }
        }
        return 1;
    }

    /**
     * Decodes a JPEG at 1/{@code denom} scale to RGB, or returns null when this library does not
     * take it (CMYK/YCCK, corrupt data, ...): the caller then uses another decoder.
     */
    public static Rgb decodeRgb(byte[] jpeg, int denom) {
        requireAvailable();
        int[] r = new int[3];
        byte[] pixels = decodeRgb0(jpeg, denom, r);
        return r[0] == OK && pixels != null ? new Rgb(pixels, r[1], r[2]) : null;
    }

    /** Encodes RGB pixels (HWC) as a JPEG of the given quality (4:2:0, as OpenCV and Pillow). */
    public static byte[] encodeRgb(byte[] rgb, int width, int height, int quality) {
        requireAvailable();
        if (width <= 0 || height <= 0 || rgb.length < (long) width * height * 3) {
            throw new IllegalArgumentException(rgb.length + " bytes are not a " + width + "x" + height + " RGB image");
        }
        byte[] jpeg = encodeRgb0(rgb, width, height, quality);
        if (jpeg == null) {
            throw new IllegalStateException("JPEG encoding failed for a " + width + "x" + height + " image");
        }
        return jpeg;
    }

    /**
     * Decodes at 1/{@code denom}, area-averages to a short side of {@code size} (unless it already
     * is), encodes. Status {@link #TOO_SMALL} (with the decoded size) means the image needs
     * enlarging, which the caller does.
     */
    static Result transform(byte[] jpeg, int denom, int size, int quality) {
        requireAvailable();
        int[] r = new int[3];
        byte[] out = transform0(jpeg, denom, size, quality, r);
        return new Result(out == null && r[0] == OK ? ERROR : r[0], out, r[1], r[2]);
    }

    /** The jar resource for an OS/arch (os.name, os.arch), or null when none is built for it. */
    static String resourcePath(String osName, String osArch) {
        if (osName == null || !osName.toLowerCase(Locale.ROOT).startsWith("linux") || osArch == null) {
            return null;
        }
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> osArch;
        };
        return "native/linux-" + arch + "/" + LIBRARY;
    }

    /**
     * Loads the library from a class-path resource (relative to this class), returning null on
     * success or the reason it cannot be used. Never throws: failure means the OpenCV fallback.
     */
    static String load(String resource) {
        if (resource == null) {
            return "no native library for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch");
        }
        try (InputStream in = NativeJpeg.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "resource " + resource + " not in the jar (the build could not compile it: see its warning;"
                        + " deploy/setup.sh installs gcc and libjpeg-turbo's headers)";
            }
            // A private copy per class loader: a library file can be bound to one loader only.
            Path tmp = Files.createTempFile("alexnet_jpeg", ".so");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                System.load(tmp.toAbsolutePath().toString());
            } finally {
                Files.deleteIfExists(tmp);   // mapped once loaded: deleting now leaves no litter
            }
            int v = libjpegTurboVersion0();  // also proves the JNI functions are bound
            return v > 0 ? null : "native library reports no libjpeg-turbo version";
        } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
            return "cannot load " + resource + ": " + e;
        }
    }

    private static void requireAvailable() {
        if (!isAvailable()) {
            throw new IllegalStateException("native JPEG library unavailable: " + UNAVAILABLE_REASON);
        }
    }

    private static String versionString(int v) {
        return v / 1_000_000 + "." + v / 1000 % 1000 + "." + v % 1000;
    }

    private static native byte[] decodeRgb0(byte[] jpeg, int denom, int[] result);

    private static native byte[] encodeRgb0(byte[] rgb, int width, int height, int quality);

    private static native byte[] transform0(byte[] jpeg, int denom, int size, int quality, int[] result);

    private static native int libjpegTurboVersion0();
}
