package org.alexnet.archive;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Usage;
import org.alexnet.model.cli.Describe;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * {@code deploy/alexnet describe --model DIR}: what a model or checkpoint file is and where it
 * came from (its provenance, class list, configuration), then its layers as {@code describe
 * --preset} prints them, ending with {@code parameters: N}. Without {@code --model}, the layers
 * of a configured model ({@link Describe}).
 */
public final class DescribeModel {
    private DescribeModel() {
    }

    public static void main(String[] args) {
        // describe's help (Describe's usage lists --model too) and the configured model's layers
        if (Usage.asked(args) || Arrays.stream(args).noneMatch(a -> a.equals("--model") || a.startsWith("--model="))) {
            Describe.main(args);
            return;
        }
        System.exit(run(args, System.out, System.err));
    }

    /** Describes the model named by --model; returns the exit code (2 = bad command line or unreadable model). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            CommandLine cli = CommandLine.parse(args, Set.of("model"), Set.of());
            Path path = new Path(cli.require("model"));
            ModelArchive archive = ModelArchive.open(path.getFileSystem(new Configuration()), path);
            out.print(describe(archive));
            return 0;
        } catch (ConfigException | IOException e) {
            err.println("describe: " + e.getMessage());
            return 2;
        }
    }

    /** The provenance and content of an archive, then its layer table. */
    public static String describe(ModelArchive a) {
        Provenance p = a.provenance();
        StringBuilder sb = new StringBuilder();
        line(sb, "file", a.source() + " (" + ModelArchive.FORMAT + " format " + a.formatVersion() + ", "
                + a.kind().name().toLowerCase(Locale.ROOT) + ")");
        line(sb, "written by", "AlexNet-on-Spark " + p.version() + ", git " + p.gitCommit());
        if (p.convertedFrom() != null) {
            line(sb, "converted from", p.convertedFrom() + " (earlier format; what it did not record is unknown)");
        }
        Provenance.Dataset d = p.dataset();
        line(sb, "dataset", d == null ? "unknown" : d.path() + ", " + d.classes() + " classes, " + d.trainImages()
                + " training images, manifest SHA-256 " + d.manifestSha256());
        line(sb, "training", p.epochsTrained() + " epochs, train.seed " + p.seed() + ", started "
                + known(p.trainingStarted()) + ", written " + p.written()
                + (p.resumedFrom() == null ? "" : ", resumed from " + p.resumedFrom()));
        Provenance.EpochMetrics e = p.lastEpoch();
        if (e != null) {
            line(sb, "last epoch", String.format(Locale.ROOT, "%d: train loss %.4f, validation loss %.4f, top-1 error "
                    + "%.2f%%, top-5 error %.2f%%, learning rate %s", e.epoch(), e.trainLoss(), e.valLoss(),
                    100 * e.top1Error(), 100 * e.top5Error(), e.learningRate()));
        }
        Provenance.Evaluation f = p.finalEvaluation();
        line(sb, "final evaluation", f == null ? "none recorded" : String.format(Locale.ROOT, "%s, %d images: top-1 "
                + "error %.2f%%, top-5 error %.2f%%, loss %.4f", f.views(), f.images(), 100 * f.top1Error(),
                100 * f.top5Error(), f.loss()));
        Provenance.Runtime r = p.runtime();
        line(sb, "runtime", r == null ? "unknown" : "Java " + r.java() + ", ND4J " + r.nd4j() + " (" + r.nd4jBackend()
                + "), Spark " + r.spark());
        Provenance.TrainedBy t = p.trainedBy();
        line(sb, "trained by", t == null ? "unknown" : "executor " + t.executor() + " on " + t.devices() + ", "
                + t.workers() + " workers, Spark master " + t.sparkMaster() + ", application " + t.application());
        line(sb, "classes", a.classes().size() + ": " + a.classes().stream().limit(5).map(ClassName::label)
                .collect(Collectors.joining(", ")) + (a.classes().size() > 5 ? ", ..." : ""));
        sb.append("configuration:\n");
        a.jobConfig().forEach((k, v) -> sb.append("  ").append(k).append(" = ").append(v).append('\n'));
        sb.append('\n').append(Describe.describe(a.model()));
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, String value) {
        sb.append(String.format("%-17s %s%n", name + ":", value));
    }

    private static String known(String value) {
        return value == null ? "unknown" : value;
    }
}
