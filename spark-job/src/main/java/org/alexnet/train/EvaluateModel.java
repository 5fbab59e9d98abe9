package org.alexnet.train;

import java.io.File;
import java.nio.file.Files;
import java.util.Set;
import org.alexnet.config.CommandLine;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.model.ModelFile;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.spark.SparkSerialization;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.util.ModelSerializer;

/**
 * {@code deploy/alexnet evaluate --model DIR --data DIR [--ten-crop]}: top-1 and top-5 error of
 * a trained model (DIR/model.zip, or a model or checkpoint file) on a dataset's validation split.
 */
public final class EvaluateModel {
    private EvaluateModel() {
    }

    public static void main(String[] args) throws Exception {
        CommandLine cli;
        try {
            cli = CommandLine.parse(args, Set.of("model", "data"), Set.of("ten-crop"));
            cli.require("model");
            cli.require("data");
        } catch (ConfigException e) {
            System.err.println("evaluate: " + e.getMessage());
            System.exit(2);
            return;
        }
        SparkSession spark = SparkSession.builder()
                .config(SparkSerialization.apply(new SparkConf().setAppName("EvaluateAlexNet"))).getOrCreate();
        try {
            TopKCounts counts = evaluate(spark, cli.require("model"), cli.require("data"), cli.flag("ten-crop"));
            System.out.println((cli.flag("ten-crop") ? "10 views: " : "centre crop: ") + counts);
        } finally {
            spark.stop();
        }
    }

    public static TopKCounts evaluate(SparkSession spark, String model, String data, boolean tenCrop) throws Exception {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Path path = new Path(model);
        FileSystem fs = path.getFileSystem(sc.hadoopConfiguration());
        if (fs.getFileStatus(path).isDirectory()) {
            path = new Path(path, "model.zip");
        }
        File local = File.createTempFile("alexnet-model", ".zip");
        try {
            fs.copyToLocalFile(false, path, new Path(local.toURI()), true);
            ModelFile.Saved saved = ModelFile.load(local);
            String jobText = ModelSerializer.getObjectFromFile(local, CheckpointStore.JOB_CONFIG_ENTRY);
            Config job = TrainConfig.SCHEMA.resolve(Config.parsePropertiesText(jobText));
            Path dataDir = new Path(data);
            DatasetLayout.requireComplete(dataDir.getFileSystem(sc.hadoopConfiguration()), dataDir);
            DatasetStats stats = DatasetStats.read(spark, data);
            var validation = DatasetSplits.examples(spark, data, DatasetLayout.VAL);
            Evaluator evaluator = new Evaluator(sc, saved.config(), TrainConfig.from(job), sc.broadcast(stats), validation);
            ParameterState state = ParameterState.of(saved.graph());
            return tenCrop ? evaluator.tenCrop(state) : evaluator.centreCrop(state);
        } finally {
            Files.deleteIfExists(local.toPath());
        }
    }
}
