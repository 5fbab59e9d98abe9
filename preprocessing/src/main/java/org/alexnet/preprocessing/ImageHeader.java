package org.alexnet.preprocessing;

import java.util.Optional;

/**
 * What an image file's first bytes say: its format (detected from the bytes, never the file name)
 * and the size its header declares. Reading the declared size lets the job reject decompression
 * bombs before any pixel is decoded.
 */
public record ImageHeader(Format format, int width, int height, boolean progressive) {

    /** Image formats recognised from their signatures. */
    public enum Format { JPEG, PNG, GIF, BMP, WEBP, TIFF }

    /** Pixels the header declares. */
    public long declaredPixels() {
        return (long) width * height;
    }

    /** The format from the signature alone, or empty when the bytes are not a known image format. */
    public static Optional<Format> sniff(byte[] b) {
        int n = b.length;
        if (n >= 3 && u8(b, 0) == 0xFF && u8(b, 1) == 0xD8 && u8(b, 2) == 0xFF) return Optional.of(Format.JPEG);
        if (n >= 8 && u8(b, 0) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[4] == 0x0D && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A) return Optional.of(Format.PNG);
        if (n >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') return Optional.of(Format.GIF);
        if (n >= 2 && b[0] == 'B' && b[1] == 'M') return Optional.of(Format.BMP);
        if (n >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
                && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') return Optional.of(Format.WEBP);
        if (n >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0)
                || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) return Optional.of(Format.TIFF);
        return Optional.empty();
    }

    /**
     * Parses the signature and the declared size.
     *
     * @throws RejectedImageException when the bytes are empty, not a known image format, or the
     *                                header is cut off or malformed
     */
    public static ImageHeader parse(byte[] b) {
        if (b.length == 0) {
            throw new RejectedImageException("empty file");
        }
        Format format = sniff(b).orElseThrow(() -> new RejectedImageException(
                "not an image: unrecognised signature " + hex(b, 8)));
        try {
            ImageHeader h = switch (format) {
                case JPEG -> jpeg(b);
                case PNG -> new ImageHeader(format, be32(b, 16), be32(b, 20), false);
                case GIF -> new ImageHeader(format, le16(b, 6), le16(b, 8), false);
                case BMP -> new ImageHeader(format, Math.abs(le32(b, 18)), Math.abs(le32(b, 22)), false);
                case WEBP -> webp(b);
                case TIFF -> tiff(b);
            };
            if (h.width <= 0 || h.height <= 0) {
                throw new RejectedImageException(format + " header declares an empty size " + h.width + "x" + h.height);
            }
            return h;
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new RejectedImageException(format + " header is truncated (" + b.length + " bytes)");
        }
    }

    /** True when a JPEG ends with its end-of-image marker (a file cut short does not). */
    public static boolean hasJpegEnd(byte[] b) {
        // Some encoders pad after EOI; look at the last few bytes.
        for (int i = b.length - 2; i >= Math.max(0, b.length - 64); i--) {
            if (u8(b, i) == 0xFF && u8(b, i + 1) == 0xD9) return true;
        }
        return false;
    }

    private static ImageHeader jpeg(byte[] b) {
        int i = 2;
        while (true) {
            while (u8(b, i) != 0xFF) i++;          // tolerate junk between segments, as libjpeg does
            while (u8(b, i) == 0xFF) i++;          // fill bytes
            int marker = u8(b, i++);
            if (marker == 0xD9 || marker == 0xDA) {
                throw new RejectedImageException("JPEG has no frame header before its scan data");
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;   // no length
            int length = be16(b, i);
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                return new ImageHeader(Format.JPEG, be16(b, i + 5), be16(b, i + 3), marker == 0xC2 || marker == 0xC6);
            }
            i += length;
        }
    }

    private static ImageHeader webp(byte[] b) {
        String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
        return switch (chunk) {
            case "VP8X" -> new ImageHeader(Format.WEBP, le24(b, 24) + 1, le24(b, 27) + 1, false);
            case "VP8 " -> new ImageHeader(Format.WEBP, le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF, false);
            case "VP8L" -> {
                int bits = le32(b, 21);
                yield new ImageHeader(Format.WEBP, (bits & 0x3FFF) + 1, ((bits >>> 14) & 0x3FFF) + 1, false);
            }
            default -> throw new RejectedImageException("WebP with unknown chunk '" + chunk + "'");
        };
    }

    private static ImageHeader tiff(byte[] b) {
        boolean little = b[0] == 'I';
        int ifd = little ? le32(b, 4) : be32(b, 4);
        int entries = little ? le16(b, ifd) : be16(b, ifd);
        int width = -1;
        int height = -1;
        for (int e = 0; e < entries; e++) {
            int p = ifd + 2 + 12 * e;
            int tag = little ? le16(b, p) : be16(b, p);
            int type = little ? le16(b, p + 2) : be16(b, p + 2);
            int value = type == 3 ? (little ? le16(b, p + 8) : be16(b, p + 8)) : (little ? le32(b, p + 8) : be32(b, p + 8));
            if (tag == 256) width = value;
            if (tag == 257) height = value;
        }
        return new ImageHeader(Format.TIFF, width, height, false);
    }

    private static int u8(byte[] b, int i) { return b[i] & 0xFF; }
    private static int be16(byte[] b, int i) { return (u8(b, i) << 8) | u8(b, i + 1); }
    private static int le16(byte[] b, int i) { return u8(b, i) | (u8(b, i + 1) << 8); }
    private static int le24(byte[] b, int i) { return u8(b, i) | (u8(b, i + 1) << 8) | (u8(b, i + 2) << 16); }
    private static int be32(byte[] b, int i) { return (be16(b, i) << 16) | be16(b, i + 2); }
    private static int le32(byte[] b, int i) { return le16(b, i) | (le16(b, i + 2) << 16); }

    private static String hex(byte[] b, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(max, b.length); i++) sb.append(String.format("%02x", b[i]));
        return sb.toString();
    }
}
