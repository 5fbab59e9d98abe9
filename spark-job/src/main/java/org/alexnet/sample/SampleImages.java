package org.alexnet.sample;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Usage;

/**
 * {@code deploy/alexnet make-sample-data --output DIR [--kind stripes|glyphs] [--classes N]
 * [--per-class M] [--val-per-class K] [--seed S]}: an ImageNet-shaped tree
 * ({@code train/<wnid>/*.JPEG}, {@code val/<wnid>/*.JPEG}) of JPEGs with class names in
 * {@code LOC_synset_mapping.txt}, as in ImageNet's Kaggle release.
 *
 * <p>{@code stripes} (the default, the demo's): classes a small net learns in a few epochs, each
 * with its own colour and stripe direction, under noise, random blobs and varied image sizes and
 * aspect ratios; a few deliberately broken files (empty, truncated, text named .JPEG) go into
 * train/ so the preprocessing job's rejection path runs too. {@code glyphs}: characters of real
 * fonts, distorted, on cluttered backgrounds ({@link GlyphImages}): shape, not colour, decides.
 */
public final class SampleImages {
    /** What was written. */
    public record Summary(Path root, int classes, int trainImages, int valImages, int brokenFiles) {
    }

    private SampleImages() {
    }

    static final Usage USAGE = Usage.of("make-sample-data", "Writes a small labelled image set in ImageNet's "
                    + "layout (train/ and val/ with one directory per class, and a few broken files) for trying the "
                    + "pipeline end to end.")
            .required("output", "DIR", "where to write the images")
            .option("kind", "stripes|glyphs", "stripes (default: coloured stripes) or glyphs (letters drawn in "
                    + "installed fonts: a task a small net learns)")
            .option("classes", "N", "classes (default 6 for stripes, 10 for glyphs)")
            .option("per-class", "M", "training images per class (default 40)")
            .option("val-per-class", "V", "validation images per class (default max(4, M/4))")
            .option("seed", "S", "seed of the drawing (default 7)");

    public static void main(String[] args) throws IOException {
        if (USAGE.printIfAsked(args, System.out)) {
            System.exit(0);
        }
        try {
            CommandLine cli = CommandLine.parse(args, USAGE);
            String kind = cli.option("kind").orElse("stripes");
            boolean glyphs = kind.equals("glyphs");
            if (!glyphs && !kind.equals("stripes")) {
                throw new ConfigException("--kind must be stripes or glyphs, got '" + kind + "'");
            }
            int maxClasses = glyphs ? GlyphImages.SYMBOLS.length() : 1000;
            int classes = cli.intOption("classes", glyphs ? 10 : 6);
            int perClass = cli.intOption("per-class", 40);
            int valPerClass = cli.intOption("val-per-class", Math.max(4, perClass / 4));
            if (classes < 2 || classes > maxClasses || perClass < 1 || valPerClass < 0) {
                throw new ConfigException("--classes must be in [2, " + maxClasses + "] for " + kind
                        + ", --per-class >= 1, --val-per-class >= 0");
            }
            Path root = Path.of(cli.require("output"));
            long seed = cli.intOption("seed", 7);
            Summary s;
            if (glyphs) {
                System.out.println("drawing glyphs with " + GlyphFonts.describe(GlyphFonts.load()));
                s = GlyphImages.write(root, classes, perClass, valPerClass, seed);
            } else {
                s = write(root, classes, perClass, valPerClass, seed);
            }
            System.out.printf("sample data: %d classes, %d train + %d val images, %d broken files, under %s%n",
                    s.classes(), s.trainImages(), s.valImages(), s.brokenFiles(), s.root());
        } catch (ConfigException e) {
            System.err.println("make-sample-data: " + e.getMessage());
            System.err.println(USAGE.synopsis());
            System.exit(2);
        } catch (GlyphFonts.NoFontException e) {
            System.err.println("make-sample-data: " + e.getMessage());
            System.exit(1);
        }
    }

    public static Summary write(Path root, int classes, int perClass, int valPerClass, long seed) throws IOException {
        Random random = new Random(seed);
        for (int c = 0; c < classes; c++) {
            String wnid = wnid(c);
            for (int i = 0; i < perClass; i++) {
                writeJpeg(root.resolve("train").resolve(wnid).resolve(wnid + "_" + i + ".JPEG"), image(c, classes, random));
            }
            for (int i = 0; i < valPerClass; i++) {
                writeJpeg(root.resolve("val").resolve(wnid).resolve("val_" + wnid + "_" + i + ".JPEG"),
                        image(c, classes, random));
            }
        }
        StringBuilder names = new StringBuilder(); // as ImageNet's LOC_synset_mapping.txt: "wnid name"
        for (int c = 0; c < classes; c++) {
            names.append(wnid(c)).append(' ').append(name(c, classes)).append('\n');
        }
        Files.writeString(root.resolve("LOC_synset_mapping.txt"), names, StandardCharsets.UTF_8);
        Path broken = root.resolve("train").resolve(wnid(0));
        Files.write(broken.resolve("empty.JPEG"), new byte[0]);
        Files.writeString(broken.resolve("notes.JPEG"), "not an image\n", StandardCharsets.UTF_8);
        byte[] whole = Files.readAllBytes(broken.resolve(wnid(0) + "_0.JPEG"));
        Files.write(broken.resolve("truncated.JPEG"), java.util.Arrays.copyOf(whole, whole.length / 3));
        return new Summary(root, classes, classes * perClass, classes * valPerClass, 3);
    }

    /** n00000000, n00000001, ...: sorted order is class order. */
    static String wnid(int c) {
        return String.format("n%08d", c);
    }

    /** What class c looks like, e.g. "hue 90, stripes at 45 degrees". */
    static String name(int c, int classes) {
        return String.format("hue %d, stripes at %d degrees", Math.round(360.0 * c / classes),
                Math.round(180.0 * c / classes));
    }

    /** Class c: its own hue and stripe angle; noise, blobs, size and aspect vary per image. */
    static BufferedImage image(int c, int classes, Random random) {
        int shortSide = 256 + random.nextInt(160);
        int longSide = shortSide + random.nextInt(shortSide / 2 + 1);
        boolean landscape = random.nextBoolean();
        int w = landscape ? longSide : shortSide;
        int h = landscape ? shortSide : longSide;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Color base = Color.getHSBColor((float) c / classes, 0.75f, 0.85f);
        double angle = Math.PI * c / classes;
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double period = 18 + random.nextInt(10);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double stripe = 0.5 + 0.5 * Math.sin(2 * Math.PI * (x * cos + y * sin) / period);
                double shade = 0.55 + 0.45 * stripe + 0.12 * random.nextGaussian();
                img.setRGB(x, y, new Color(clamp(base.getRed() * shade), clamp(base.getGreen() * shade),
                        clamp(base.getBlue() * shade)).getRGB());
            }
        }
        Graphics2D g = img.createGraphics();
        for (int i = 0; i < 4; i++) { // distractors in random colours
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
            int r = 10 + random.nextInt(w / 8);
            g.fillOval(random.nextInt(w), random.nextInt(h), r, r);
        }
        g.dispose();
        return img;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    static void writeJpeg(Path file, BufferedImage img) throws IOException {
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(img, "jpg", file.toFile())) {
            throw new IOException("no JPEG writer");
        }
    }
}
