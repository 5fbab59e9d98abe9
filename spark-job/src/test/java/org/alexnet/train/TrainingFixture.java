package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.alexnet.preprocessing.PreprocessImageNet;
import org.alexnet.sample.SampleImages;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * One local[2] Spark session per test class and a learnable dataset made the way a user makes
 * one: generated class folders of JPEGs (4 classes, 24 train and 8 validation images each, 3
 * broken files) through PreprocessImageNet.
 */
abstract class TrainingFixture {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path dataset;

    @BeforeAll
    static void startSparkAndMakeDataset() throws Exception {
        // the training job's session settings, Spark's result limit as it is
        spark = SparkSession.builder().config(RoundTransport.apply(new org.apache.spark.SparkConf()))
                .master("local[2]").appName("TrainingTests").config("spark.ui.enabled", "false").getOrCreate();
        Path raw = dir.resolve("raw");
        SampleImages.write(raw, 4, 24, 8, 3);
        dataset = dir.resolve("dataset");
        assertEquals(0, PreprocessImageNet.run(new String[] {"--input", raw.toString(), "--output", dataset.toString(),
                "--images-per-task", "50", "--set", "preprocess.max-rejected-fraction=0.1"}, spark), "the sample dataset preprocesses");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** Common settings: the tiny preset, two workers, small batches. */
    static List<String> args(Path output, String... more) {
        List<String> a = new ArrayList<>(List.of("--data", dataset.toString(), "--output", output.toString(),
                "--set", "model.preset=tiny", "--set", "model.classes=4", "--set", "train.workers=2",
                "--set", "train.batch-size=8", "--set", "train.averaging-frequency=2", "--set", "train.decode-threads=1",
                "--set", "train.eval.batch-size=16"));
        a.addAll(List.of(more));
        return a;
    }

    static int train(List<String> args) {
        return TrainAlexNet.run(args.toArray(String[]::new), spark);
    }

}
