package org.alexnet.sample;

import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The fonts {@link GlyphImages} draws with, found the same way on every machine: the six faces of
 * Debian's and Ubuntu's fonts-dejavu-core (which deploy/setup.sh installs) when they are there, so
 * the same seed gives the same dataset; else every TrueType/OpenType file under the system's
 * font directories and the JDK's lib/fonts, in path order; else the JDK's logical fonts, if any
 * physical font backs them. With none of these there is no font at all: {@link NoFontException}.
 */
public final class GlyphFonts {
    /** fonts-dejavu-core's files, as Debian and Ubuntu install them. */
    static final Path DEJAVU = Path.of("/usr/share/fonts/truetype/dejavu");
    static final List<String> DEJAVU_CORE = List.of("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf",
            "DejaVuSansMono-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf");
    private static final List<Path> FONT_DIRS = List.of(Path.of("/usr/share/fonts"), Path.of("/usr/local/share/fonts"),
            Path.of(System.getProperty("java.home"), "lib", "fonts"));

    /** No font on this machine to draw glyphs with. */
    public static final class NoFontException extends IOException {
        NoFontException(String message) {
            super(message);
        }
    }

    private GlyphFonts() {
    }

    /** The fonts to draw with (see the class comment). */
    public static List<Font> load() throws IOException {
        List<Font> dejavu = new ArrayList<>();
        for (String name : DEJAVU_CORE) {
            Path file = DEJAVU.resolve(name);
            if (Files.isRegularFile(file)) {
                dejavu.add(read(file));
            }
        }
        if (dejavu.size() == DEJAVU_CORE.size()) {
            return dejavu;
        }
        List<Font> found = new ArrayList<>();
        for (Path file : fontFiles()) {
            try {
                found.add(read(file));
            } catch (IOException e) {
                // a broken or unsupported font file among many: use the others
            }
        }
        if (!found.isEmpty()) {
            return found;
        }
        List<Font> logical = new ArrayList<>();
        try {
            for (String family : GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames(Locale.ROOT)) {
                Font f = new Font(family, Font.PLAIN, 100);
                if (f.canDisplayUpTo(GlyphImages.SYMBOLS) == -1 && !f.getFontName(Locale.ROOT).isEmpty()) {
                    logical.add(f);
                }
            }
        } catch (Error | RuntimeException e) { // the JDK's font manager fails when no font exists at all
            throw noFont("the JDK found none either (" + e + ")");
        }
        if (logical.isEmpty()) {
            throw noFont("the JDK found none either");
        }
        return logical;
    }

    /** One line saying which fonts {@link #load()} uses. */
    public static String describe(List<Font> fonts) {
        return fonts.size() + " fonts: " + String.join(", ", fonts.stream().map(f -> f.getFontName(Locale.ROOT)).toList());
    }

    private static List<Path> fontFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path dir : FONT_DIRS) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> all = Files.walk(dir)) {
                    all.filter(p -> {
                        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                        return Files.isRegularFile(p) && (n.endsWith(".ttf") || n.endsWith(".otf"));
                    }).sorted().forEach(files::add);
                }
            }
        }
        return files;
    }

    private static Font read(Path file) throws IOException {
        try {
            Font font = Font.createFont(Font.TRUETYPE_FONT, file.toFile());
            if (font.canDisplayUpTo(GlyphImages.SYMBOLS) != -1) {
                throw new IOException(file + " lacks some of the glyphs " + GlyphImages.SYMBOLS);
            }
            return font;
        } catch (FontFormatException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static NoFontException noFont(String detail) {
        return new NoFontException("no font to draw glyphs with: neither fonts-dejavu-core (" + DEJAVU + ") nor any "
                + ".ttf/.otf under " + FONT_DIRS + "; " + detail + ". Install one, e.g. sudo apt-get install "
                + "fonts-dejavu-core (deploy/setup.sh does)");
    }
}
