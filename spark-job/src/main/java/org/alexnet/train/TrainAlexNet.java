package org.alexnet.train;

import java.util.Map;
import org.alexnet.config.CommandLine;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Installation;
import org.alexnet.config.Usage;
import org.alexnet.spark.SparkCommand;
import org.alexnet.spark.SparkSerialization;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spark-submit --class TrainAlexNet <jar> --data DIR --output DIR [--config FILE]
 * [--set key=value ...] [--resume]} and {@code deploy/alexnet train ...}: trains AlexNet on a
 * dataset made by PreprocessImageNet. Exit 0 = done, 1 = training failed, 2 = bad command line
 * or configuration (reported before any work).
 */
public final class TrainAlexNet {
    private static final Logger LOG = LoggerFactory.getLogger(TrainAlexNet.class);

    static final Usage USAGE = Usage.of("train", "Trains AlexNet on a dataset made by deploy/alexnet preprocess "
                    + "(also: spark-submit --class org.alexnet.train.TrainAlexNet JAR ...). Writes OUTPUT/model.zip, "
                    + "checkpoints, metrics.jsonl and curves.png. Exit 0 = done, 1 = training failed, 2 = bad command "
                    + "line or configuration (reported before any work).")
            .required("data", "DIR", "the preprocessed dataset, any Hadoop FileSystem URI")
            .required("output", "DIR", "where the model, checkpoints and metrics go")
            .flag("resume", "continue from the newest readable checkpoint under --output (none: start afresh)")
            .config(TrainConfig.SCHEMA, "model.properties", "train.properties");

    private TrainAlexNet() {
    }

    public static void main(String[] args) {
        SparkCommand.exit(TrainAlexNet::session, spark -> run(args, spark));
    }

    /** Runs the job in this JVM with the given session (tests, embedding); returns the exit code. */
    public static int run(String[] args, SparkSession spark) {
        return run(args, () -> spark);
    }

    private static int run(String[] args, java.util.function.Supplier<SparkSession> session) {
        if (USAGE.printIfAsked(args, System.out)) {
            return 0;
        }
        CommandLine cli;
        Config config;
        try {
            cli = CommandLine.parse(args, USAGE);
            config = cli.resolve(TrainConfig.SCHEMA, Installation.confFiles("model.properties", "train.properties"),
                    Map.of());
            TrainConfig.from(config);
            org.alexnet.model.AlexNetConfig.from(config);
        } catch (ConfigException e) {
            System.err.println("TrainAlexNet: " + e.getMessage());
            System.err.println(USAGE.synopsis());
            return 2;
        }
        try {
            Trainer trainer = new Trainer(session.get(), config, cli.require("data"), cli.require("output"),
                    cli.flag("resume"));
            LOG.info("resolved configuration:\n{}", trainer.configuration().render());
            Trainer.Result result = trainer.run();
            LOG.info("done: model {}, final evaluation {}", result.finalModel(), result.finalEvaluation());
            return 0;
        } catch (ConfigException e) {
            System.err.println("TrainAlexNet: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            LOG.error("training failed: {}", e.getMessage(), e);
            System.err.println("TrainAlexNet: training failed: " + e.getMessage());
            return 1;
        }
    }

    /**
     * The session; results of a round carry the whole model ({@link RoundTransport}); the project's
     * objects travel with the chosen serializer ({@link SparkSerialization}).
     */
    static SparkSession session() {
        return SparkSession.builder().config(RoundTransport.apply(SparkSerialization.apply(
                        new SparkConf().setAppName("TrainAlexNet"))))
                .getOrCreate();
    }
}
