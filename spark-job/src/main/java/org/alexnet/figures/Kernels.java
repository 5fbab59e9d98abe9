package org.alexnet.figures;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.alexnet.archive.ModelArchive;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Usage;

/**
 * {@code deploy/alexnet kernels --model DIR --output FILE.png [--scale N]}: the paper's Figure 3
 * ({@link KernelsFigure}) of a trained model, read through {@link ModelArchive}, and each
 * column's colour share printed, so the colour-agnostic and colour-specific columns can be read
 * as numbers. Exit 0 = written, 2 = bad command line or model.
 */
public final class Kernels {
    /** Colour shares closer than this are no difference between the columns. */
    private static final double SAME_COLOUR = 0.05;

    static final Usage USAGE = Usage.of("kernels", "The paper's Figure 3: conv1's kernels of a trained model as "
                    + "an image, one row of kernels per column.")
            .required("model", "DIR", "a training output (its model.zip), or a model or checkpoint file")
            .required("output", "FILE.png", "the image to write")
            .option("scale", "N", "pixels per weight (default 4, in [1, 64])");

    private Kernels() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli;
        ModelArchive archive;
        int scale;
        if (USAGE.printIfAsked(args, out)) {
            return 0;
        }
        try {
            cli = CommandLine.parse(args, USAGE);
            scale = cli.intOption("scale", 4);
            if (scale < 1 || scale > 64) {
                throw new ConfigException("--scale must be in [1, 64] (pixels per weight)");
            }
            org.apache.hadoop.fs.Path model = new org.apache.hadoop.fs.Path(cli.require("model"));
            archive = ModelArchive.open(model.getFileSystem(new org.apache.hadoop.conf.Configuration()), model);
        } catch (ConfigException | IOException e) {
            err.println("kernels: " + e.getMessage());
            err.println(USAGE.synopsis());
            return 2;
        }
        try {
            List<KernelsFigure.ColumnKernels> columns = KernelsFigure.columns(archive.graph(), archive.model());
            var img = KernelsFigure.draw(columns, scale);
            Path file = Path.of(cli.require("output"));
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            ImageIO.write(img, "png", file.toFile());
            KernelsFigure.ColumnKernels first = columns.get(0);
            out.printf("conv1: %d kernels of %dx%dx3 in %d column(s), from %s%n", columns.stream()
                    .mapToInt(KernelsFigure.ColumnKernels::count).sum(), first.weights().size(2),
                    first.weights().size(3), columns.size(), archive.source());
            for (KernelsFigure.ColumnKernels c : columns) {
                out.printf("%-10s colour share %.3f (mean of %d kernels; 0 = grey kernels, ~0.67 = random weights)%n",
                        c.column().length() == 1 ? "column " + c.column() + ":" : c.column() + ":", c.colourShare(),
                        c.count());
            }
            if (columns.size() == 2) {
                KernelsFigure.ColumnKernels a = columns.get(0);
                KernelsFigure.ColumnKernels b = columns.get(1);
                KernelsFigure.ColumnKernels more = a.colourShare() >= b.colourShare() ? a : b;
                KernelsFigure.ColumnKernels less = more == a ? b : a;
                if (more.colourShare() - less.colourShare() < SAME_COLOUR) {
                    out.printf("the columns do not differ in colour (%.3f vs %.3f)%n", a.colourShare(), b.colourShare());
                } else {
                    out.printf("column %s is the more colour-specific, column %s the more colour-agnostic "
                            + "(%.3f vs %.3f)%n", more.column(), less.column(), more.colourShare(), less.colourShare());
                }
            }
            out.printf("wrote %s (%dx%d)%n", file, img.getWidth(), img.getHeight());
            return 0;
        } catch (IOException e) {
            err.println("kernels: " + e.getMessage());
            return 1;
        }
    }
}
