package org.alexnet.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.alexnet.classify.Classify;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Installation;
import org.alexnet.config.Usage;
import org.alexnet.preprocessing.PreprocessImageNet;
import org.alexnet.sample.SampleImages;
import org.alexnet.spark.SparkSerialization;
import org.alexnet.train.EvaluateModel;
import org.alexnet.train.RoundTransport;
import org.alexnet.train.TopKCounts;
import org.alexnet.train.TrainAlexNet;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * {@code deploy/alexnet demo [--output DIR] [--config FILE] [--set key=value ...]}: the whole
 * pipeline on a generated dataset in one JVM and one Spark session (the launcher's embedded
 * local Spark unless --master says otherwise): sample images, PreprocessImageNet, TrainAlexNet
 * with two workers, a 10-view evaluation and a few classified images. Settings come from
 * conf/demo.properties ({@link DemoSettings}). Ends with the paths of the model, metrics and curves.
 */
public final class Demo {
    /** Marks a directory as the demo's own, so a re-run may replace it. */
    static final String MARKER = ".alexnet-demo";

    static final Usage USAGE = Usage.of("demo", "The whole pipeline on generated images in one JVM and one Spark "
                    + "session: sample images, preprocess, train (two workers), a 10-view evaluation and a few "
                    + "classified images. demo.* keys are the demo's own; preprocess.*, model.* and train.* keys go to "
                    + "those jobs (deploy/alexnet preprocess|train --help lists them).")
            .option("output", "DIR", "where everything goes (default ./alexnet-demo; a re-run replaces it)")
            .config("demo.properties");

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        if (USAGE.printIfAsked(args, System.out)) {
            return 0;
        }
        CommandLine cli;
        DemoSettings settings;
        Path out;
        try {
            cli = CommandLine.parse(args, USAGE);
            settings = DemoSettings.load(Installation.confFiles("demo.properties"), cli);
            out = Path.of(cli.option("output").orElse("alexnet-demo")).toAbsolutePath();
            prepareOutput(out);
        } catch (ConfigException | IOException e) {
            System.err.println("demo: " + e.getMessage());
            System.err.println(USAGE.synopsis());
            return 2;
        }
        long t0 = System.nanoTime();
        Path raw = out.resolve("sample-images");
        Path dataset = out.resolve("dataset");
        Path training = out.resolve("training");

        step(1, "generating sample images under " + raw);
        SampleImages.Summary s = SampleImages.write(raw, settings.classes(), settings.perClass(),
                settings.valPerClass(), settings.seed());
        System.out.printf("%d classes, %d train + %d val images, %d deliberately broken files%n",
                s.classes(), s.trainImages(), s.valImages(), s.brokenFiles());

        // the training job's session settings; Spark's result limit stays as it is
        SparkSession spark = SparkSession.builder()
                .config(RoundTransport.apply(SparkSerialization.apply(new SparkConf().setAppName("AlexNetDemo"))))
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            System.out.println("Spark master: " + spark.sparkContext().master());
            step(2, "preprocessing (PreprocessImageNet) into " + dataset);
            int rc = PreprocessImageNet.run(settings.preprocessArgs(raw, dataset), spark);
            if (rc != 0) {
                return fail("preprocessing", rc);
            }
            step(3, "training (TrainAlexNet) into " + training);
            rc = TrainAlexNet.run(settings.trainArgs(dataset, training), spark);
            if (rc != 0) {
                return fail("training", rc);
            }
            step(4, "evaluating the model on the validation images (10 views)");
            TopKCounts counts = EvaluateModel.evaluate(spark, training.toString(), dataset.toString(), true);
            System.out.println("10 views: " + counts);
        } finally {
            spark.stop();
        }

        step(5, "classifying validation images (deploy/alexnet classify --model " + training + " IMAGE...)");
        List<String> classifyArgs = new ArrayList<>(List.of("--model", training.toString()));
        classifyArgs.addAll(sampleImages(raw.resolve("val"), settings.classifyImages()));
        Classify.run(classifyArgs.toArray(String[]::new), System.out, System.err);

        System.out.printf("%ndemo finished in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        System.out.println("model: " + training.resolve("model.zip"));
        System.out.println("metrics: " + training.resolve("metrics.jsonl"));
        System.out.println("curves: " + training.resolve("curves.png"));
        return 0;
    }

    /** An absent or empty directory, or a previous demo's (replaced); anything else is refused. */
    private static void prepareOutput(Path out) throws IOException {
        if (Files.isDirectory(out) && Files.exists(out.resolve(MARKER))) {
            try (Stream<Path> all = Files.walk(out)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        } else if (Files.exists(out)) {
            try (Stream<Path> entries = Files.list(out)) {
                if (!Files.isDirectory(out) || entries.findAny().isPresent()) {
                    throw new IOException("--output " + out + " exists and is not a previous demo's output");
                }
            }
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve(MARKER), "written by deploy/alexnet demo; a re-run replaces this directory\n");
    }

    /** One image from each of the first classes of a split. */
    private static List<String> sampleImages(Path split, int n) throws IOException {
        List<String> images = new ArrayList<>();
        try (Stream<Path> classes = Files.list(split)) {
            for (Path c : classes.sorted().limit(n).toList()) {
                try (Stream<Path> files = Files.list(c)) {
                    files.sorted().findFirst().ifPresent(f -> images.add(f.toString()));
                }
            }
        }
        return images;
    }

    private static void step(int n, String what) {
        System.out.printf("%n== demo step %d/5: %s%n", n, what);
        System.out.flush();
    }

    private static int fail(String what, int rc) {
        System.err.println("demo: " + what + " failed (exit " + rc + "); see the log above");
        return 1;
    }
}
