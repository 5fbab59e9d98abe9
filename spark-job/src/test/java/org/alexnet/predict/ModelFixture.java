package org.alexnet.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.alexnet.preprocessing.PreprocessImageNet;
import org.alexnet.sample.SampleImages;
import org.alexnet.train.TrainAlexNet;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * One local[2] Spark session per test class, and what a user has after training: generated class
 * folders of JPEGs (4 classes, 24 train and 8 validation images each, 3 broken files), the
 * dataset PreprocessImageNet made of them, and a tiny two-column AlexNet TrainAlexNet trained on
 * it for 3 epochs (seconds).
 */
abstract class ModelFixture {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path raw;
    static Path dataset;
    static Path model;

    @BeforeAll
    static void trainAModel() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("ModelUseTests")
                .config("spark.ui.enabled", "false").getOrCreate();
        raw = dir.resolve("raw");
        SampleImages.write(raw, 4, 24, 8, 3);
        dataset = dir.resolve("dataset");
        assertEquals(0, PreprocessImageNet.run(new String[] {"--input", raw.toString(), "--output", dataset.toString(),
                "--images-per-task", "50", "--set", "preprocess.max-rejected-fraction=0.1"}, spark),
                "the sample dataset preprocesses");
        model = dir.resolve("training");
        // as TrainAlexNetTest: the 1/16-width net learns from N(0, 0.05) without dropout
        assertEquals(0, TrainAlexNet.run(new String[] {"--data", dataset.toString(), "--output", model.toString(),
                "--set", "model.preset=tiny", "--set", "model.classes=4", "--set", "model.init-std=0.05",
                "--set", "model.dropout=0", "--set", "model.learning-rate=0.01", "--set", "train.epochs=3",
                "--set", "train.workers=2", "--set", "train.batch-size=8", "--set", "train.averaging-frequency=2",
                "--set", "train.decode-threads=1", "--set", "train.eval.batch-size=16",
                "--set", "train.eval.ten-crop-at-end=false"}, spark), "a tiny model trains");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }
}
