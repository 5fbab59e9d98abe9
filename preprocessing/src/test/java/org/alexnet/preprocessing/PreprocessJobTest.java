package org.alexnet.preprocessing;

import static org.alexnet.preprocessing.DatasetLayout.*;
import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The whole job on a real local Spark, real files and real Parquet. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreprocessJobTest {
    private static final int PER_CLASS = 30;

    @TempDir
    static Path tmp;
    private SparkSession spark;
    private Path input;
    private Path output;
    private List<String> valWnids;
    private int exitCode;

    @BeforeAll
    void runTheJobOnce() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("PreprocessJobTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
        input = tmp.resolve("raw");
        InputTrees.withTraps(input, PER_CLASS);
        valWnids = InputTrees.flatVal(input, 6);
        InputTrees.locLabels(input, valWnids);
        output = tmp.resolve("out/dataset");
        exitCode = run("--input", input.toString(), "--output", output.toString(), "--images-per-task", "5",
                "--target-file-mb", "1", "--max-rejected-fraction", "0.2", "--progress-interval-seconds", "1");
    }

    @AfterAll
    void stopSpark() {
        spark.stop();
    }

    private int run(String... args) {
        return PreprocessImageNet.run(args, spark);
    }

    @Test
    void publishesACompleteDatasetAndNothingElse() throws IOException {
        assertEquals(0, exitCode, "the job succeeds");
        for (String part : List.of(TRAIN, VAL, STATS, CLASSES, REJECTED, MANIFEST, SUCCESS)) {
            assertTrue(Files.exists(output.resolve(part)), part + " exists in the output");
        }
        try (Stream<Path> siblings = Files.list(output.getParent())) {
            assertEquals(List.of(output), siblings.toList(), "no staging directory is left beside the output");
        }
        String manifest = Files.readString(output.resolve(MANIFEST));
        assertTrue(manifest.contains("\"preprocess.images-per-task\" : \"5\""), "the manifest records the configuration");
        assertTrue(manifest.contains("\"rejected\" : 4"), "the manifest counts the rejected files");
        assertTrue(manifest.contains("timings_seconds"), "the manifest has timings");
    }

    @Test
    void storesEveryGoodImageWithShortSide256AndItsLabel() throws IOException {
        List<Row> rows = spark.read().parquet(output.resolve(TRAIN).toString()).collectAsList();
        assertEquals(List.of(KEY, LABEL, WNID, JPEG, HEIGHT, WIDTH),
                List.of(spark.read().parquet(output.resolve(TRAIN).toString()).columns()), "train/ columns");
        assertEquals(3 * PER_CLASS + 5, rows.size(), "all photos and the 5 decodable traps are stored");
        for (Row r : rows) {
            String key = r.getString(0);
            BufferedImage img = ImageIO.read(new ByteArrayInputStream((byte[]) r.get(3)));
            assertEquals(256, Math.min(img.getWidth(), img.getHeight()), "short side of " + key);
            assertEquals(img.getHeight(), r.getInt(4), "height column of " + key);
            assertEquals(img.getWidth(), r.getInt(5), "width column of " + key);
            String wnid = key.split("/")[1];
            assertTrue(key.startsWith("train/"), "key " + key + " is relative to the input");
            assertEquals(wnid, r.getString(2), "wnid of " + key);
            assertEquals(InputTrees.WNIDS.indexOf(wnid), r.getInt(1), "label of " + key + " is its sorted-wnid index");
        }
        List<String> keys = rows.stream().map(r -> r.getString(0)).toList();
        for (String trap : List.of("cmyk", "ycck", "gray", "progressive", "png_named")) {
            assertTrue(keys.contains("train/n01000001/" + trap + ".JPEG"), trap + " is stored");
        }
    }

    @Test
    void rowsAreShuffledIntoSeveralFilesOfTheTargetSize() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(output.resolve(TRAIN))) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
        }
        List<Long> sizes = new java.util.ArrayList<>();
        for (Path f : files) sizes.add(Files.size(f));
        assertTrue(files.size() >= 2, "train/ is split into several files at a 1 MiB target, got sizes " + sizes);
        for (Path f : files) {
            assertTrue(Files.size(f) < 3 * 1024 * 1024, f + " is within a few MiB of the 1 MiB target (AQE merges a small remainder into its neighbour)");
            List<Row> rows = spark.read().parquet(f.toString()).collectAsList();
            long classes = rows.stream().map(r -> r.getInt(1)).distinct().count();
            assertTrue(classes >= 2, f.getFileName() + " mixes classes");
        }
        List<String> keys = spark.read().parquet(output.resolve(TRAIN).toString()).collectAsList().stream()
                .map(r -> r.getString(0)).toList();
        assertNotEquals(keys.stream().sorted().toList(), keys, "rows are not in input order");
    }

    @Test
    void recordsRejectedFilesWithTheirReasons() {
        Map<String, String> rejected = new HashMap<>();
        for (Row r : spark.read().parquet(output.resolve(REJECTED).toString()).collectAsList()) {
            rejected.put(r.getString(r.fieldIndex(KEY)), r.getString(r.fieldIndex(REASON)));
        }
        assertEquals(new java.util.TreeSet<>(InputTrees.BAD), new java.util.TreeSet<>(rejected.keySet()), "exactly the bad files are rejected");
        assertTrue(rejected.get("train/n01000002/empty.JPEG").contains("empty"), "empty file reason");
        assertTrue(rejected.get("train/n01000002/text.JPEG").contains("not an image"), "text file reason");
        assertTrue(rejected.get("train/n01000002/truncated.JPEG").contains("truncated"), "truncated file reason");
        assertTrue(rejected.get("train/n01000002/huge.JPEG").contains("max-pixels"), "decompression bomb reason");
    }

    @Test
    void labelsFlatValFromLocSolutionAndNamesClassesFromTheMapping() {
        List<Row> val = spark.read().parquet(output.resolve(VAL).toString()).collectAsList();
        assertEquals(valWnids.size(), val.size(), "every val file is stored");
        for (Row r : val) {
            int n = Integer.parseInt(r.getString(0).replaceAll(".*_0*([0-9]+)\\.JPEG", "$1"));
            assertEquals(valWnids.get(n - 1), r.getString(2), "wnid of " + r.getString(0) + " from LOC_val_solution.csv");
            assertEquals(InputTrees.WNIDS.indexOf(valWnids.get(n - 1)), r.getInt(1), "label of " + r.getString(0));
        }
        List<Row> classes = spark.read().parquet(output.resolve(CLASSES).toString()).orderBy(INDEX).collectAsList();
        assertEquals(InputTrees.WNIDS.size(), classes.size(), "one row per class");
        for (int i = 0; i < classes.size(); i++) {
            assertEquals(i, classes.get(i).getInt(0), "class index");
            assertEquals(InputTrees.WNIDS.get(i), classes.get(i).getString(1), "classes are sorted wnids");
            assertEquals(InputTrees.name(InputTrees.WNIDS.get(i)), classes.get(i).getString(2), "name from LOC_synset_mapping.txt");
        }
    }

    @Test
    void meanImageAndPcaAgreeWithABruteForceComputation() throws IOException {
        DatasetStats stats = DatasetStats.read(spark, output.toString());
        List<Row> rows = spark.read().parquet(output.resolve(TRAIN).toString()).collectAsList();
        int size = IMAGE_SIZE;
        double[] mean = new double[size * size * 3];
        double[] sum = new double[3];
        double[][] cross = new double[3][3];
        for (Row r : rows) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream((byte[]) r.get(3)));   // an independent decoder
            int x0 = (img.getWidth() - size) / 2, y0 = (img.getHeight() - size) / 2;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int rgb = img.getRGB(x0 + x, y0 + y);
                    int[] p = {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255};
                    for (int c = 0; c < 3; c++) {
                        mean[(y * size + x) * 3 + c] += p[c];
                        sum[c] += p[c];
                        for (int d = 0; d < 3; d++) cross[c][d] += p[c] * p[d];
                    }
                }
            }
        }
        int n = rows.size();
        double pixels = (double) n * size * size;
        assertEquals(n, stats.count(), "stats count the stored training images");
        assertEquals(size * size * 3, stats.meanImage().length, "mean image is 256x256x3");
        double maxDiff = 0;
        for (int i = 0; i < mean.length; i++) maxDiff = Math.max(maxDiff, Math.abs(mean[i] / n - stats.meanImage()[i]));
        assertTrue(maxDiff < 1.0, "mean image within decoder rounding of the brute-force mean, max diff " + maxDiff);
        for (int c = 0; c < 3; c++) {
            assertEquals(sum[c] / pixels, stats.rgbMean()[c], 0.05, "RGB mean of channel " + c);
            for (int d = 0; d < 3; d++) {
                double cov = cross[c][d] / pixels - (sum[c] / pixels) * (sum[d] / pixels);
                assertEquals(cov, stats.rgbCovariance()[c * 3 + d], 0.01 * Math.abs(cov) + 0.5, "covariance[" + c + "][" + d + "]");
            }
        }
        assertEquals(255.0, stats.pixelScale(), "pixel scale");
        double[] cov = stats.rgbCovariance();
        double[] roots = characteristicRoots(cov);
        for (int i = 0; i < 3; i++) {
            assertEquals(roots[i], stats.eigenvalues()[i], 1e-6 * roots[0], "eigenvalue " + i + " is a root of det(C - l I)");
            if (i > 0) assertTrue(stats.eigenvalues()[i - 1] >= stats.eigenvalues()[i], "eigenvalues descend");
            for (int k = 0; k < 3; k++) {
                double cv = 0;
                for (int j = 0; j < 3; j++) cv += cov[k * 3 + j] * stats.eigenvector(i, j);
                assertEquals(stats.eigenvalues()[i] * stats.eigenvector(i, k), cv, 1e-6 * roots[0], "C v = l v for vector " + i);
            }
            for (int j = 0; j < 3; j++) {
                double dot = 0;
                for (int k = 0; k < 3; k++) dot += stats.eigenvector(i, k) * stats.eigenvector(j, k);
                assertEquals(i == j ? 1 : 0, dot, 1e-9, "eigenvectors " + i + ", " + j + " are orthonormal");
            }
        }
    }

    @Test
    void statsAreIdenticalWhateverThePartitioningAndOverwriteReplaces() throws IOException {
        Path other = tmp.resolve("out/one-partition");
        Files.createDirectories(other);
        Files.writeString(other.resolve("old-file"), "an older dataset");
        assertEquals(2, run("--input", input.toString(), "--output", other.toString(), "--max-rejected-fraction", "0.2"),
                "an existing output without --overwrite is an error");
        assertTrue(Files.exists(other.resolve("old-file")), "the existing output is left alone");
        assertEquals(0, run("--input", input.toString(), "--output", other.toString(), "--images-per-task", "1000",
                "--max-rejected-fraction", "0.2", "--overwrite"), "the one-partition run succeeds");
        assertFalse(Files.exists(other.resolve("old-file")), "--overwrite replaced the old output");
        DatasetStats many = DatasetStats.read(spark, output.toString());
        DatasetStats one = DatasetStats.read(spark, other.toString());
        assertEquals(many.count(), one.count(), "same count");
        assertArrayEquals(many.meanImage(), one.meanImage(), "identical mean image with 1 and 11 partitions");
        assertArrayEquals(many.rgbCovariance(), one.rgbCovariance(), "identical covariance");
        assertArrayEquals(many.eigenvalues(), one.eigenvalues(), "identical eigenvalues");
        assertArrayEquals(many.eigenvectors(), one.eigenvectors(), "identical eigenvectors");
    }

    @Test
    void tooManyRejectedFilesFailsAndPublishesNothing() throws IOException {
        Path raw = tmp.resolve("mostly-bad");
        InputTrees.plain(raw, 1);
        for (int i = 0; i < 3; i++) Files.writeString(raw.resolve("train/n01000001/bad" + i + ".JPEG"), "junk");
        Path out = tmp.resolve("failed/dataset");
        assertEquals(1, run("--input", raw.toString(), "--output", out.toString()), "exit code 1 when 50% are rejected");
        assertFalse(Files.exists(out), "no output appears");
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertEquals(0, s.count(), "the staging directory was removed");
        }
    }

    @Test
    void labelsFlatValFromTheDevkitGroundTruthAndMetaMat() throws IOException {
        Path raw = tmp.resolve("devkit");
        InputTrees.plain(raw, 2);
        List<String> wnids = InputTrees.flatVal(raw, 5);
        InputTrees.devkitLabels(raw, wnids);
        Path out = tmp.resolve("devkit-out");
        assertEquals(0, run("--input", raw.toString(), "--output", out.toString()), "the job succeeds");
        List<Row> val = spark.read().parquet(out.resolve(VAL).toString()).collectAsList();
        assertEquals(5, val.size(), "every val file is stored");
        for (Row r : val) {
            int n = Integer.parseInt(r.getString(0).replaceAll(".*_0*([0-9]+)\\.JPEG", "$1"));
            assertEquals(wnids.get(n - 1), r.getString(2), "wnid of " + r.getString(0) + " via meta.mat's ILSVRC2012_IDs");
            assertEquals(InputTrees.WNIDS.indexOf(wnids.get(n - 1)), r.getInt(1), "label is the sorted-wnid index, not the devkit ID");
        }
        List<Row> classes = spark.read().parquet(out.resolve(CLASSES).toString()).orderBy(INDEX).collectAsList();
        assertEquals(InputTrees.name(InputTrees.WNIDS.get(0)), classes.get(0).getString(2), "names from meta.mat");
    }

    @Test
    void badInputFailsBeforeAnyWork() throws IOException {
        Path raw = tmp.resolve("no-train");
        Files.createDirectories(raw.resolve("val"));
        Path out = tmp.resolve("no-train-out");
        assertEquals(2, run("--input", raw.toString(), "--output", out.toString()), "exit code 2 for an input without train/");
        assertFalse(Files.exists(out), "nothing is written");
        assertEquals(2, run("--input", raw.toString(), "--output", out.toString(), "--jpeg-quality", "0"), "exit 2 for a bad option");
    }

    /** Eigenvalues of a symmetric 3x3 matrix from its characteristic polynomial (trigonometric method), descending. */
    private static double[] characteristicRoots(double[] a) {
        double p1 = a[1] * a[1] + a[2] * a[2] + a[5] * a[5];
        double q = (a[0] + a[4] + a[8]) / 3;
        double p2 = Math.pow(a[0] - q, 2) + Math.pow(a[4] - q, 2) + Math.pow(a[8] - q, 2) + 2 * p1;
        double p = Math.sqrt(p2 / 6);
        double[] b = new double[9];
        for (int i = 0; i < 9; i++) b[i] = (a[i] - (i % 4 == 0 ? q : 0)) / p;
        double detB = b[0] * (b[4] * b[8] - b[5] * b[7]) - b[1] * (b[3] * b[8] - b[5] * b[6]) + b[2] * (b[3] * b[7] - b[4] * b[6]);
        double r = Math.max(-1, Math.min(1, detB / 2));
        double phi = Math.acos(r) / 3;
        double e1 = q + 2 * p * Math.cos(phi);
        double e3 = q + 2 * p * Math.cos(phi + 2 * Math.PI / 3);
        return new double[]{e1, 3 * q - e1 - e3, e3};
    }
}
