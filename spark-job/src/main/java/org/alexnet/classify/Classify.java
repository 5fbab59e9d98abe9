package org.alexnet.classify;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.alexnet.archive.ClassName;
import org.alexnet.archive.ModelArchive;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Usage;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.ImageTransformer;
import org.alexnet.train.data.AugmentationSettings;
import org.alexnet.train.data.ImagePreprocessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code deploy/alexnet classify --model DIR [--ten-crop] IMAGE...}: the top-5 classes of each
 * image with their names and probabilities. An image goes the way a validation image goes: resized
 * to a short side of 256 and re-encoded as the preprocessing job stores it, then the centre crop
 * (or the paper's 10 views, softmax averaged) minus the training set's mean image. Needs a
 * model.zip written by the training job (which stores the class list and dataset statistics), or
 * a checkpoint; read through {@link ModelArchive}, so nothing in the file is Java-deserialized.
 * Exit 0 = every image classified, 1 = some image could not be read, 2 = bad command line or model.
 */
public final class Classify {
    private static final int TOP = 5;
    static final Usage USAGE = Usage.of("classify", "The five most probable classes of each image file, with "
                    + "their names, from a trained model; no Spark. Exit 0 = every image classified, 1 = some image "
                    + "could not be read, 2 = bad command line or model.")
            .required("model", "DIR", "a training output (its model.zip), or a model or checkpoint file")
            .flag("ten-crop", "average the paper's 10 views (corners, centre, mirrored) instead of the centre crop")
            .positional("IMAGE...", "image files (JPEG, PNG, ...)");

    private final AlexNetConfig config;
    private final ComputationGraph graph;
    private final List<ClassName> classes;
    private final ImagePreprocessor preprocessor;
    // the preprocessing job's defaults: JPEG quality 90, DCT scaling on
    private final ImageTransformer transformer = new ImageTransformer(90, 100_000_000L, true, true);

    /** One predicted class. */
    public record Prediction(ClassName cls, double probability) {
    }

    /** Loads DIR/model.zip (or a model or checkpoint file). */
    public Classify(Path model) throws IOException {
        ModelArchive archive = ModelArchive.open(model);
        this.config = archive.model();
        this.graph = archive.graph();
        this.classes = archive.classes();
        this.preprocessor = new ImagePreprocessor(AugmentationSettings.paper(config.inputSize(), 0), archive.stats());
    }

    /** The most probable classes of one image file's bytes, best first. */
    public List<Prediction> top(byte[] imageFile, boolean tenCrop) {
        byte[] stored = transformer.transform(imageFile).jpeg();
        float[] views = tenCrop ? preprocessor.tenViews(stored) : preprocessor.centreView(stored);
        int side = config.inputSize();
        int n = tenCrop ? 10 : 1;
        INDArray input = Nd4j.create(views, new long[] {n, 3, side, side});
        INDArray probabilities = graph.outputSingle(false, input).mean(0);
        double[] p = probabilities.toDoubleVector();
        return java.util.stream.IntStream.range(0, p.length).boxed()
                .sorted((a, b) -> Double.compare(p[b], p[a]))
                .limit(TOP)
                .map(i -> new Prediction(classes.get(i), p[i]))
                .toList();
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Classifies the images named on the command line; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (USAGE.printIfAsked(args, out)) {
            return 0;
        }
        CommandLine cli;
        Classify classify;
        try {
            cli = CommandLine.parse(args, USAGE);
            if (cli.positional().isEmpty()) {
                throw new ConfigException("no image given");
            }
            classify = new Classify(Path.of(cli.require("model")));
        } catch (ConfigException | IOException e) {
            err.println("classify: " + e.getMessage());
            err.println(USAGE.synopsis());
            return 2;
        }
        int exit = 0;
        for (String image : cli.positional()) {
            try {
                List<Prediction> top = classify.top(Files.readAllBytes(Path.of(image)), cli.flag("ten-crop"));
                out.println(image + (cli.flag("ten-crop") ? " (10 views)" : ""));
                int rank = 1;
                for (Prediction p : top) {
                    out.printf("  %d. %-50s %.4f%n", rank++, p.cls().label(), p.probability());
                }
            } catch (IOException | RuntimeException e) {
                err.println("classify: " + image + ": " + e.getMessage());
                exit = 1;
            }
        }
        return exit;
    }
}
