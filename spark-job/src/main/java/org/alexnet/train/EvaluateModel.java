package org.alexnet.train;

import java.io.IOException;
import java.io.PrintStream;
import java.util.function.Supplier;
import org.alexnet.archive.ModelArchive;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Usage;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.spark.SparkCommand;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * {@code deploy/alexnet evaluate --model DIR --data DIR [--ten-crop]}: top-1 and top-5 error of
 * a trained model (DIR/model.zip, or a model or checkpoint file) on a dataset's validation split.
 */
public final class EvaluateModel {
    static final Usage USAGE = Usage.of("evaluate", "Top-1 and top-5 error of a trained model on a dataset's "
                    + "validation split. Exit 0 = evaluated, 1 = the evaluation failed, 2 = bad command line, or a "
                    + "model or dataset that cannot be read.")
            .required("model", "DIR", "a training output (its model.zip), or a model or checkpoint file")
            .required("data", "DIR", "a dataset made by deploy/alexnet preprocess")
            .flag("ten-crop", "average the paper's 10 views (corners, centre, mirrored) instead of the centre crop");

    private EvaluateModel() {
    }

    public static void main(String[] args) {
        SparkCommand.exit(SparkCommand.session("EvaluateAlexNet"), spark -> run(args, spark, System.out, System.err));
    }

    /**
     * Runs the command in this JVM with the given session (tests, embedding). Exit 0 = evaluated,
     * 1 = the evaluation failed, 2 = bad command line, or a model or dataset that cannot be read.
     */
    public static int run(String[] args, SparkSession spark, PrintStream out, PrintStream err) {
        return run(args, () -> spark, out, err);
    }

    private static int run(String[] args, Supplier<SparkSession> session, PrintStream out, PrintStream err) {
        if (USAGE.printIfAsked(args, out)) {
            return 0;
        }
        CommandLine cli;
        try {
            cli = CommandLine.parse(args, USAGE);
        } catch (ConfigException e) {
            err.println("evaluate: " + e.getMessage());
            err.println(USAGE.synopsis());
            return 2;
        }
        TopKCounts counts;
        try {
            counts = evaluate(session.get(), cli.require("model"), cli.require("data"), cli.flag("ten-crop"));
        } catch (IOException | IllegalArgumentException | ConfigException e) {
            err.println("evaluate: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("evaluate: the evaluation failed: " + e);
            return 1;
        }
        out.println((cli.flag("ten-crop") ? "10 views: " : "centre crop: ") + counts);
        return 0;
    }

    /**
     * Evaluates a model (DIR/model.zip, or a model or checkpoint file, on any Hadoop FileSystem)
     * on a dataset's validation split, with the model's own input transform (its stored
     * mean image) and the evaluation settings it was trained with.
     */
    public static TopKCounts evaluate(SparkSession spark, String model, String data, boolean tenCrop)
            throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Path path = new Path(model);
        ModelArchive archive = ModelArchive.open(path.getFileSystem(sc.hadoopConfiguration()), path);
        TrainConfig train = TrainConfig.from(TrainConfig.SCHEMA.resolve(archive.jobConfig()));
        ComputationGraph graph = archive.graph();
        Path dataDir = new Path(data);
        DatasetLayout.requireComplete(dataDir.getFileSystem(sc.hadoopConfiguration()), dataDir);
        var validation = DatasetSplits.examples(spark, data, DatasetLayout.VAL);
        Evaluator evaluator = new Evaluator(sc, archive.model(), train, sc.broadcast(archive.stats()), validation);
        ParameterState state = ParameterState.of(graph);
        return tenCrop ? evaluator.tenCrop(state) : evaluator.centreCrop(state);
    }
}
