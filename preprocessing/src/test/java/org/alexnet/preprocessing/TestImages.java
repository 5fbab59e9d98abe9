package org.alexnet.preprocessing;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Fixture images written by the tests: real encoders, real files. */
final class TestImages {
    private TestImages() {
    }

    /** A smooth colourful pattern with some noise, so JPEG and resizing have something to do. */
    static BufferedImage pattern(int w, int h, long seed) {
        return pattern(w, h, seed, 20);
    }

    /** The pattern with per-pixel noise of amplitude {@code noise} (more noise, bigger JPEGs). */
    static BufferedImage pattern(int w, int h, long seed, int noise) {
        Random rnd = new Random(seed);
        double fx = 2 + rnd.nextDouble() * 6, fy = 2 + rnd.nextDouble() * 6, phase = rnd.nextDouble() * 6;
        int base = rnd.nextInt(120);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = clamp(base + 100 * (1 + Math.sin(fx * x / w * Math.PI + phase)) / 2 + rnd.nextInt(noise));
                int g = clamp(40 + 180.0 * y / h + rnd.nextInt(noise));
                int b = clamp(60 + 120 * (1 + Math.cos(fy * (x + y) / (double) (w + h) * Math.PI)) / 2 + rnd.nextInt(noise));
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    static BufferedImage gray(BufferedImage rgb) {
        BufferedImage g = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        g.getGraphics().drawImage(rgb, 0, 0, null);
        return g;
    }

    static byte[] jpeg(BufferedImage img, float quality, boolean progressive) {
        ImageWriter writer = jdkJpegWriter();
        ImageWriteParam p = writer.getDefaultWriteParam();
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(quality);
        if (progressive) p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        return write(writer, new IIOImage(img, null, null), p);
    }

    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A 4-component Adobe JPEG (as Photoshop writes them: inverted CMYK values), transform 0 (CMYK)
     * or 2 (YCCK). Java's stock ImageIO cannot read it back.
     */
    static byte[] cmykJpeg(BufferedImage rgb, boolean ycck) {
        int w = rgb.getWidth(), h = rgb.getHeight();
        WritableRaster raster = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, w, h, 4, null);
        int[] px = new int[4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int c = rgb.getRGB(x, y);
                double r = ((c >> 16) & 255) / 255.0, g = ((c >> 8) & 255) / 255.0, b = (c & 255) / 255.0;
                double k = 1 - Math.max(r, Math.max(g, b));
                double cc = k >= 1 ? 0 : (1 - r - k) / (1 - k);
                double mm = k >= 1 ? 0 : (1 - g - k) / (1 - k);
                double yy = k >= 1 ? 0 : (1 - b - k) / (1 - k);
                // Adobe stores 255 - value
                int cs = (int) Math.round(255 * (1 - cc));
                int ms = (int) Math.round(255 * (1 - mm));
                int ys = (int) Math.round(255 * (1 - yy));
                int ks = (int) Math.round(255 * (1 - k));
                if (ycck) {
                    // libjpeg's YCCK: YCbCr of (255-C, 255-M, 255-Y) of the stored values, K as is
                    double rr = 255 - cs, gg = 255 - ms, bb = 255 - ys;
                    px[0] = clamp(0.299 * rr + 0.587 * gg + 0.114 * bb);
                    px[1] = clamp(-0.168736 * rr - 0.331264 * gg + 0.5 * bb + 128);
                    px[2] = clamp(0.5 * rr - 0.418688 * gg - 0.081312 * bb + 128);
                } else {
                    px[0] = cs;
                    px[1] = ms;
                    px[2] = ys;
                }
                px[3] = ks;
                raster.setPixel(x, y, px);
            }
        }
        ImageWriter writer = jdkJpegWriter();
        ImageWriteParam p = writer.getDefaultWriteParam();
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(0.95f);
        // The JDK writes the four channels as they are, without an Adobe marker: add one after SOI.
        byte[] raw = write(writer, new IIOImage(raster, null, null), p);
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) (ycck ? 2 : 0)};
        byte[] out = new byte[raw.length + adobe.length];
        System.arraycopy(raw, 0, out, 0, 2);
        System.arraycopy(adobe, 0, out, 2, adobe.length);
        System.arraycopy(raw, 2, out, 2 + adobe.length, raw.length - 2);
        return out;
    }

    static String hexMarkers(byte[] b) {
        StringBuilder sb = new StringBuilder();
        int i = 2;
        while (i + 4 < b.length && (b[i] & 0xFF) == 0xFF) {
            int m = b[i + 1] & 0xFF;
            int len = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
            sb.append(String.format("%02x(%d) ", m, len));
            if (m == 0xEE) sb.append("transform=" + b[i + 15] + " ");
            if (m == 0xDA) break;
            i += 2 + len;
        }
        return sb.toString();
    }

    /** A PNG whose header declares {@code w x h} and that holds no pixel data. */
    static byte[] pngHeaderOnly(int w, int h) {
        byte[] b = new byte[33];
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        System.arraycopy(sig, 0, b, 0, sig.length);
        putBe32(b, 16, w);
        putBe32(b, 20, h);
        b[24] = 8;   // bit depth
        b[25] = 2;   // RGB
        return b;
    }

    /** A valid JPEG whose frame header is rewritten to declare {@code w x h}. */
    static byte[] jpegDeclaring(byte[] jpeg, int w, int h) {
        byte[] b = jpeg.clone();
        for (int i = 2; i < b.length - 9; i++) {
            int m = b[i + 1] & 0xFF;
            if ((b[i] & 0xFF) == 0xFF && (m == 0xC0 || m == 0xC2)) {
                b[i + 5] = (byte) (h >> 8);
                b[i + 6] = (byte) h;
                b[i + 7] = (byte) (w >> 8);
                b[i + 8] = (byte) w;
                return b;
            }
        }
        throw new IllegalArgumentException("no SOF marker");
    }

    private static void putBe32(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    private static ImageWriter jdkJpegWriter() {
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter fallback = null;
        while (it.hasNext()) {
            ImageWriter w = it.next();
            if (w.getClass().getName().startsWith("com.sun.imageio")) return w;
            fallback = w;
        }
        return fallback;
    }

    private static byte[] write(ImageWriter writer, IIOImage image, ImageWriteParam p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, image, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    static ImageTypeSpecifier rgbType() {
        return ImageTypeSpecifier.createFromBufferedImageType(BufferedImage.TYPE_INT_RGB);
    }
}
