package org.alexnet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.alexnet.archive.ModelArchive;
import org.alexnet.archive.TestArchives;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.PreprocessImageNet;
import org.alexnet.sample.SampleImages;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/alexnet predict, kernels and neighbours as a user runs them, from the packaged jar, on a
 * tiny model (one training step, written through ModelArchive) and a small preprocessed dataset.
 */
class ModelUseIT {
    @TempDir
    Path dir;

    @Test
    void predictKernelsAndNeighboursThroughTheLauncher() throws Exception {
        Path raw = dir.resolve("raw");
        SampleImages.write(raw, 3, 6, 2, 5);
        AlexNetConfig config = TestArchives.tiny(3);
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        ModelArchive.publish(TestArchives.model(TestArchives.trained(config), config),
                FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(model.resolve("model.zip").toString()));
        Path dataset = dir.resolve("dataset");
        SparkSession spark = SparkSession.builder().master("local[2]").appName("ModelUseIT")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            assertEquals(0, PreprocessImageNet.run(new String[] {"--input", raw.toString(), "--output",
                dataset.toString(), "--set", "preprocess.max-rejected-fraction=0.2"}, spark));

            // batch inference on a directory of image files, three of them broken
            Path predicted = dir.resolve("predicted");
            Launcher.Run predict = Launcher.run("predict", "--model", model.toString(), "--input",
                    raw.resolve("train").toString(), "--output", predicted.toString(), "--features");
            assertEquals(0, predict.exitCode(), predict.stderr());
            assertTrue(predict.stdout().contains("predicted 21 images (3 unreadable"), predict.stdout());
            assertTrue(predict.stderr().matches("(?s).*predict: 21 / 21 images \\(100\\.0%\\), [0-9.]+ images/s.*"),
                    "progress with the rate: " + predict.stderr());
            List<Row> rows = spark.read().parquet(predicted.toString()).collectAsList();
            assertEquals(21, rows.size());
            Row readable = rows.stream().filter(r -> r.isNullAt(3)).findFirst().orElseThrow();
            assertEquals(3, readable.getList(1).size(), "3 classes, best first");
            assertEquals(2 * config.scaled(2048), readable.getList(2).size(), "fc7 of both columns");
            assertEquals(3, rows.stream().filter(r -> !r.isNullAt(3)).count(), "the broken files, with reasons");
        } finally {
            spark.stop();
        }

        Path png = dir.resolve("kernels.png");
        Launcher.Run kernels = Launcher.run("kernels", "--model", model.toString(), "--output", png.toString());
        assertEquals(0, kernels.exitCode(), kernels.stderr());
        assertTrue(kernels.stdout().contains("column B:") && kernels.stdout().contains("colour share"), kernels.stdout());
        BufferedImage k = ImageIO.read(png.toFile());
        assertNotNull(k, "kernels.png decodes");
        assertEquals(152, k.getHeight(), "two blocks of one row of 3 kernels");

        Path figure = dir.resolve("figure4");
        Launcher.Run neighbours = Launcher.run("neighbours", "--model", model.toString(), "--data", dataset.toString(),
                "--output", figure.toString(), "--queries", "3", "--neighbours", "4");
        assertEquals(0, neighbours.exitCode(), neighbours.stderr());
        String html = Files.readString(figure.resolve("neighbours.html"));
        assertEquals(3, html.split("<tr class=\"query\"").length - 1, "a row per query");
        assertEquals(3 * 4, html.split("<td class=\"neighbour\"").length - 1, "4 neighbours each");
        assertTrue(html.contains("val/n0000000"), "queries come from the validation split: " + neighbours.stdout());
        BufferedImage f = ImageIO.read(figure.resolve("neighbours.png").toFile());
        assertEquals(8 + 3 * (128 + 30 + 8), f.getHeight(), "neighbours.png: a row per query");
    }
}
