package org.alexnet.sample;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.GlyphVector;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A dataset harder than the coloured stripes: each class is a character (the digits 0-9, then
 * capital letters without I and O), drawn in a real font from {@link GlyphFonts} (DejaVu from
 * Debian's fonts-dejavu-core when installed) with random rotation, shear, scale, position and
 * dark colour, on a light random gradient background with translucent shapes and faded lower-case
 * letters as clutter, plus pixel noise. Colour, background and clutter say nothing about the class: a net
 * must learn the shapes. The same seed and fonts give the same images.
 */
public final class GlyphImages {
    /** Class characters in class order; I and O are left out (they read as 1 and 0). */
    public static final String SYMBOLS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    /** Clutter letters: lower case, none that looks like a class character. */
    private static final String CLUTTER = "acdefhkmnrtuvwxy";

    private GlyphImages() {
    }

    /**
     * Writes {@code train/<wnid>/*.JPEG} and {@code val/<wnid>/*.JPEG} with {@code perClass} and
     * {@code valPerClass} images per class, and LOC_synset_mapping.txt with the class names.
     *
     * @throws GlyphFonts.NoFontException when the machine has no font at all
     */
    public static SampleImages.Summary write(Path root, int classes, int perClass, int valPerClass, long seed)
            throws IOException {
        if (classes < 2 || classes > SYMBOLS.length()) {
            throw new IllegalArgumentException("glyph classes must be in [2, " + SYMBOLS.length() + "], got " + classes);
        }
        List<Font> fonts = GlyphFonts.load();
        Random random = new Random(seed);
        for (int c = 0; c < classes; c++) {
            String wnid = SampleImages.wnid(c);
            for (int i = 0; i < perClass; i++) {
                SampleImages.writeJpeg(root.resolve("train").resolve(wnid).resolve(wnid + "_" + i + ".JPEG"),
                        image(SYMBOLS.charAt(c), fonts, random));
            }
            for (int i = 0; i < valPerClass; i++) {
                SampleImages.writeJpeg(root.resolve("val").resolve(wnid).resolve("val_" + wnid + "_" + i + ".JPEG"),
                        image(SYMBOLS.charAt(c), fonts, random));
            }
        }
        StringBuilder names = new StringBuilder(); // as ImageNet's LOC_synset_mapping.txt: "wnid name"
        for (int c = 0; c < classes; c++) {
            names.append(SampleImages.wnid(c)).append(' ').append(name(c)).append('\n');
        }
        Files.createDirectories(root);
        Files.writeString(root.resolve("LOC_synset_mapping.txt"), names, StandardCharsets.UTF_8);
        return new SampleImages.Summary(root, classes, classes * perClass, classes * valPerClass, 0);
    }

    /** "digit 7", "letter K". */
    static String name(int c) {
        char symbol = SYMBOLS.charAt(c);
        return (Character.isDigit(symbol) ? "digit " : "letter ") + symbol;
    }

    /** One image of a character: background, clutter, the distorted glyph, noise. */
    static BufferedImage image(char symbol, List<Font> fonts, Random random) {
        int shortSide = 256 + random.nextInt(97);
        int longSide = shortSide + random.nextInt(shortSide / 3 + 1);
        boolean landscape = random.nextBoolean();
        int w = landscape ? longSide : shortSide;
        int h = landscape ? shortSide : longSide;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);

        Color a = lightColour(random);
        Color b = lightColour(random);
        g.setPaint(new GradientPaint(random.nextInt(w), random.nextInt(h), a, random.nextInt(w), random.nextInt(h), b));
        g.fillRect(0, 0, w, h);
        for (int i = 0; i < 8; i++) { // translucent shapes
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.1f + 0.2f * random.nextFloat()));
            g.setColor(randomColour(random));
            int sw = 10 + random.nextInt(w / 3);
            int sh = 10 + random.nextInt(h / 3);
            int x = random.nextInt(w) - sw / 2;
            int y = random.nextInt(h) - sh / 2;
            switch (random.nextInt(3)) {
                case 0 -> g.fillOval(x, y, sw, sh);
                case 1 -> g.fillRect(x, y, sw, sh);
                default -> {
                    g.setStroke(new BasicStroke(2 + random.nextInt(8)));
                    g.drawLine(x, y, x + sw, y + sh);
                }
            }
        }
        for (int i = 0; i < 3; i++) { // faded small letters
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.15f + 0.25f * random.nextFloat()));
            g.setColor(randomColour(random));
            Font f = fonts.get(random.nextInt(fonts.size())).deriveFont(shortSide * (0.08f + 0.1f * random.nextFloat()));
            g.setFont(f);
            g.drawString(String.valueOf(CLUTTER.charAt(random.nextInt(CLUTTER.length()))), random.nextInt(w), random.nextInt(h));
        }

        // the class glyph: its outline, scaled to 50-75% of the short side, distorted, near the centre
        g.setComposite(AlphaComposite.SrcOver);
        Font font = fonts.get(random.nextInt(fonts.size())).deriveFont(100f);
        GlyphVector glyph = font.createGlyphVector(g.getFontRenderContext(), String.valueOf(symbol));
        Shape outline = glyph.getOutline();
        Rectangle2D bounds = outline.getBounds2D();
        double height = shortSide * (0.50 + 0.25 * random.nextDouble());
        double scale = height / Math.max(bounds.getHeight(), bounds.getWidth());
        AffineTransform t = new AffineTransform();
        t.translate(w / 2.0 + shortSide * 0.06 * (random.nextDouble() * 2 - 1),
                h / 2.0 + shortSide * 0.06 * (random.nextDouble() * 2 - 1));
        t.rotate(Math.toRadians(30 * (random.nextDouble() - 0.5)));
        t.shear(0.3 * (random.nextDouble() - 0.5), 0);
        t.scale(scale * (0.85 + 0.3 * random.nextDouble()), scale * (0.85 + 0.3 * random.nextDouble()));
        t.translate(-bounds.getCenterX(), -bounds.getCenterY());
        Shape placed = t.createTransformedShape(outline);
        g.setColor(Color.getHSBColor(random.nextFloat(), 0.9f * random.nextFloat(), 0.05f + 0.3f * random.nextFloat()));
        g.fill(placed);
        g.dispose();
        addNoise(img, 4 + 8 * random.nextDouble(), random);
        return img;
    }

    private static Color randomColour(Random random) {
        return Color.getHSBColor(random.nextFloat(), 0.2f + 0.7f * random.nextFloat(), 0.25f + 0.75f * random.nextFloat());
    }

    /** A random hue at brightness 0.65-1 (backgrounds; the glyph is dark, 0.05-0.35). */
    private static Color lightColour(Random random) {
        return Color.getHSBColor(random.nextFloat(), 0.6f * random.nextFloat(), 0.65f + 0.35f * random.nextFloat());
    }

    private static void addNoise(BufferedImage img, double std, Random random) {
        int[] pixels = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            int r = noisy((p >> 16) & 0xff, std, random);
            int gr = noisy((p >> 8) & 0xff, std, random);
            int bl = noisy(p & 0xff, std, random);
            pixels[i] = (r << 16) | (gr << 8) | bl;
        }
    }

    private static int noisy(int v, double std, Random random) {
        return (int) Math.max(0, Math.min(255, Math.round(v + std * random.nextGaussian())));
    }
}
