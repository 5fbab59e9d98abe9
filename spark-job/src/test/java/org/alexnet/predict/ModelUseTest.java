package org.alexnet.predict;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.alexnet.archive.ModelArchive;
import org.alexnet.classify.Classify;
import org.alexnet.figures.Kernels;
import org.alexnet.figures.KernelsFigure;
import org.alexnet.figures.Neighbours;
import org.alexnet.figures.NeighboursFigure;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.ImageTransformer;
import org.alexnet.train.data.AugmentationSettings;
import org.alexnet.train.data.ImagePreprocessor;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained model used where Spark users work, on local[2] with a tiny model trained by the
 * fixture: the batch inference job on a dataset split, an image tree, Parquet and Spark's image
 * source (top-k equal to classify's, features equal to the graph's fc7, unreadable files
 * reported and never fatal); the Transformer in a Pipeline before a LogisticRegression, saved and
 * loaded; Figure 3 (kernels) and Figure 4 (neighbours).
 */
class ModelUseTest extends ModelFixture {
    private static final double TOLERANCE = 1e-4;

    private record Output(int exit, String stdout, String stderr) {
    }

    private static Output predict(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = PredictAlexNet.run(args, spark, new PrintStream(out, true), new PrintStream(err, true));
        return new Output(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void predictsADatasetSplitWithTheGraphsSoftmaxAndFeatures() throws Exception {
        Path out = dir.resolve("predict-val");
        Output run = predict("--model", model.toString(), "--input", dataset.resolve("val").toString(),
                "--output", out.toString(), "--features", "--batch-size", "5");
        assertEquals(0, run.exit(), run.stderr());
        assertTrue(run.stdout().contains("predicted 32 images (0 unreadable") && run.stdout().contains("top-1 error"),
                run.stdout());
        Dataset<Row> rows = spark.read().parquet(out.toString());
        assertEquals(List.of("key", "label", "wnid", "predictions", "features", "error"), List.of(rows.columns()),
                "output columns");
        assertEquals(32, rows.count(), "every validation image");
        assertEquals(0, rows.where(col("error").isNotNull()).count(), "all readable");
        assertTrue(Files.exists(out.resolve(DatasetLayout.SUCCESS)) && Files.readString(out.resolve(PredictAlexNet.MANIFEST))
                .contains("\"images\" : 32"), "published with its manifest");

        // the same numbers as the single graph on the stored JPEG's centre crop
        ModelArchive archive = ModelArchive.open(model);
        ComputationGraph graph = archive.graph();
        ImagePreprocessor views = new ImagePreprocessor(AugmentationSettings.paper(archive.model().inputSize(), 0),
                archive.stats());
        Map<String, byte[]> jpegs = new HashMap<>();
        spark.read().parquet(dataset.resolve("val").toString()).select("key", "jpeg").collectAsList()
                .forEach(r -> jpegs.put(r.getString(0), (byte[]) r.get(1)));
        for (Row r : rows.limit(8).collectAsList()) { // the single graph is slow: 8 of the 32 are enough
            INDArray[] expected = graphOutputs(graph, views.centreView(jpegs.get(r.getString(0))), 1,
                    archive.model().inputSize());
            assertTopK(expected[0], r.getList(3), r.getString(0));
            assertFeatures(expected[1], r.getList(4), r.getString(0));
            assertEquals(archive.classes().get(r.getInt(1)).wnid(), r.getString(2), "the true wnid is carried");
        }
        // a second run into the same output needs --overwrite
        Output again = predict("--model", model.toString(), "--input", dataset.resolve("val").toString(),
                "--output", out.toString());
        assertEquals(2, again.exit(), "an existing output is a usage error");
        assertTrue(again.stderr().contains("--overwrite"), again.stderr());
    }

    @Test
    void predictsAnImageTreeAsClassifyDoesAndReportsUnreadableFiles() throws Exception {
        Path tree = raw.resolve("train").resolve("n00000000"); // 24 images and 3 broken files
        Path out = dir.resolve("predict-tree");
        Output run = predict("--model", model.toString(), "--input", tree.toString(), "--output", out.toString(),
                "--ten-crop", "--features");
        assertEquals(0, run.exit(), "unreadable files are never fatal: " + run.stderr());
        assertTrue(run.stdout().contains("predicted 27 images (3 unreadable"), run.stdout());
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertEquals(27, rows.size());
        Classify classify = new Classify(model);
        ModelArchive archive = ModelArchive.open(model);
        ComputationGraph graph = archive.graph();
        ImagePreprocessor views = new ImagePreprocessor(AugmentationSettings.paper(archive.model().inputSize(), 0),
                archive.stats());
        ImageTransformer transformer = new ImageTransformer(90, 100_000_000L, true, false);
        int compared = 0;
        for (Row r : rows) {
            String key = r.getString(0);
            if (List.of("empty.JPEG", "notes.JPEG", "truncated.JPEG").contains(key)) {
                assertNull(r.get(1), key + " has no predictions");
                assertNull(r.get(2), key + " has no features");
                assertNotNull(r.get(3), key + " has a reason");
                assertTrue(r.getString(3).length() > 5, key + ": " + r.getString(3));
                continue;
            }
            assertNull(r.get(3), key + " is readable");
            if (++compared > 6) {
                continue; // the single graph is slow: 6 of the 24 are enough
            }
            byte[] file = Files.readAllBytes(tree.resolve(key));
            List<Classify.Prediction> expected = classify.top(file, true);
            List<Row> got = r.getList(1);
            assertEquals(expected.size(), got.size(), "as many classes as classify lists");
            for (int i = 0; i < got.size(); i++) {
                assertEquals(expected.get(i).cls().index(), got.get(i).getInt(0), key + ": class of rank " + (i + 1));
                assertEquals(expected.get(i).cls().name(), got.get(i).getString(2), key + ": name of rank " + (i + 1));
                assertEquals(expected.get(i).probability(), got.get(i).getDouble(3), TOLERANCE,
                        key + ": probability of rank " + (i + 1));
            }
            INDArray[] graphOut = graphOutputs(graph, views.tenViews(transformer.transform(file).jpeg()), 10,
                    archive.model().inputSize());
            assertFeatures(graphOut[1], r.getList(2), key + " (mean of 10 views)");
        }
        Row reasons = spark.read().parquet(out.toString()).where(col("key").equalTo("notes.JPEG")).first();
        assertTrue(reasons.getString(3).toLowerCase().contains("not")
                || reasons.getString(3).toLowerCase().contains("unknown"), "why a text file is no image: " + reasons);
    }

    @Test
    void readsParquetAndSparksImageSource() throws Exception {
        Path images = raw.resolve("val").resolve("n00000001");
        List<Row> files = new ArrayList<>();
        try (var list = Files.list(images)) {
            for (Path p : list.sorted().toList()) {
                files.add(RowFactory.create(p.getFileName().toString(), Files.readAllBytes(p), 7));
            }
        }
        StructType schema = new StructType().add("id", DataTypes.StringType).add("bytes", DataTypes.BinaryType)
                .add("other", DataTypes.IntegerType);
        Path table = dir.resolve("table.parquet");
        spark.createDataFrame(files, schema).write().parquet(table.toString());
        Classify classify = new Classify(model);

        Path fromParquet = dir.resolve("predict-parquet");
        Output run = predict("--model", model.toString(), "--input", table.toString(), "--output", fromParquet.toString());
        assertEquals(0, run.exit(), run.stderr());
        List<Row> rows = spark.read().parquet(fromParquet.toString()).collectAsList();
        assertEquals(files.size(), rows.size());
        for (Row r : rows) {
            assertEquals(classify.top(Files.readAllBytes(images.resolve(r.getString(0))), false).get(0).cls().index(),
                    r.<Row>getList(1).get(0).getInt(0), r.getString(0) + ": top-1 from the id and bytes columns");
        }

        Path fromImageSource = dir.resolve("predict-image-source");
        run = predict("--model", model.toString(), "--input", images.toString(), "--format", "image",
                "--output", fromImageSource.toString());
        assertEquals(0, run.exit(), run.stderr());
        rows = spark.read().parquet(fromImageSource.toString()).collectAsList();
        assertEquals(files.size(), rows.size());
        for (Row r : rows) {
            assertNull(r.get(2), "decoded by Spark's image source: " + r.get(2));
            List<Classify.Prediction> expected = classify.top(Files.readAllBytes(images.resolve(r.getString(0))), false);
            Row best = r.<Row>getList(1).get(0);
            double expectedOfThatClass = expected.stream().filter(p -> p.cls().index() == best.getInt(0))
                    .findFirst().orElseThrow().probability();
            // another JPEG decoder (ImageIO's) gives slightly different pixels, not different answers
            assertEquals(expectedOfThatClass, best.getDouble(3), 0.05, r.getString(0) + ": the image source's top-1");
        }
    }

    @Test
    void featuresFeedALogisticRegressionInASavedPipeline() throws Exception {
        Dataset<Row> train = labelled(raw.resolve("train"));
        Dataset<Row> val = labelled(raw.resolve("val"));
        AlexNetModel alexnet = new AlexNetModel().setModelPath(model.toString()).setInputCol("content")
                .setOutputCol("").setHandleInvalid("skip").setBatchSize(16);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {alexnet,
            new LogisticRegression().setFeaturesCol("features").setLabelCol("label").setMaxIter(30).setRegParam(0.01)});
        PipelineModel fitted = pipeline.fit(train);
        double accuracy = accuracy(fitted.transform(val));
        System.out.printf("logistic regression on fc7 features: validation accuracy %.3f (chance 0.25)%n", accuracy);
        assertTrue(accuracy >= 0.6, "LogisticRegression on our features beats chance (0.25) by far: " + accuracy);

        Path saved = dir.resolve("pipeline");
        fitted.write().overwrite().save(saved.toString());
        PipelineModel loaded = PipelineModel.load(saved.toString());
        AlexNetModel stage = (AlexNetModel) loaded.stages()[0];
        assertEquals(model.toString(), stage.getModelPath(), "the model path is saved");
        assertEquals("skip", stage.getHandleInvalid(), "params are saved");
        assertEquals(16, stage.getBatchSize());
        assertEquals(accuracy, accuracy(loaded.transform(val)), 1e-12, "the loaded pipeline predicts the same");
        assertEquals(4, stage.classes().size(), "the model's classes");
    }

    /** The binaryFile rows of a class-folder tree, labelled by folder (n00000002 is class 2). */
    private static Dataset<Row> labelled(Path tree) {
        return spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(tree.toString())
                .withColumn("label", expr("cast(substring(regexp_extract(path, '/(n[0-9]{8})/', 1), 2) as double)"));
    }

    private static double accuracy(Dataset<Row> predicted) {
        return predicted.agg(expr("avg(if(prediction = label, 1D, 0D))")).first().getDouble(0);
    }

    @Test
    void kernelsFigureShowsBothColumnsWithTheirColourShare() throws Exception {
        Path png = dir.resolve("figures/kernels.png");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Kernels.run(new String[] {"--model", model.toString(), "--output", png.toString()},
                new PrintStream(out, true), System.err);
        assertEquals(0, exit);
        BufferedImage img = ImageIO.read(png.toFile());
        // tiny preset: 3 kernels of 11x11 per column, 4 px per weight: caption 20 + one row of 44 px per column
        assertEquals(420, img.getWidth(), "the figure's minimum width (3 tiles of 44 px are narrower)");
        assertEquals(8 + 2 * (20 + 44 + 8), img.getHeight(), "two column blocks");
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.matches("(?s).*column A:\\s+colour share 0\\.\\d{3}.*column B:\\s+colour share 0\\.\\d{3}.*"),
                printed);
        assertTrue(printed.contains("the more colour-specific") || printed.contains("do not differ in colour"), printed);

        INDArray grey = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 1, 11, 11).repeat(0, 3);
        assertEquals(0, KernelsFigure.colourShare(grey), 1e-12, "a kernel with equal R, G, B filters has no colour");
        double random = KernelsFigure.colourShare(Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 3, 11, 11));
        assertTrue(Math.abs(random - 2.0 / 3) < 0.12, "independent random weights: about 2/3, got " + random);
    }

    @Test
    void nearestNeighbourOfATrainingImageIsItself() throws Exception {
        Path out = dir.resolve("neighbours");
        Neighbours.Result r = Neighbours.compute(spark, model.toString(), dataset.toString(), out.toString(), 4, 6,
                "train", 3, false, 16);
        assertEquals(4, r.queries().size());
        String html = Files.readString(out.resolve(Neighbours.HTML));
        for (NeighboursFigure.Query q : r.queries()) {
            assertEquals(6, q.neighbours().size(), "6 neighbours of " + q.image().key());
            assertEquals(q.image().key(), q.neighbours().get(0).key(), "a training image is its own nearest neighbour");
            assertTrue(q.distances().get(0) < 1e-3 * Math.max(q.distances().get(1), 1e-9),
                    "at distance ~0: " + q.distances());
            for (int i = 1; i < 6; i++) {
                assertTrue(q.distances().get(i) >= q.distances().get(i - 1), "nearest first: " + q.distances());
            }
            assertTrue(html.contains("data-key=\"" + q.image().key() + "\""), "the page shows query " + q.image().key());
            for (NeighboursFigure.Picture p : q.neighbours()) {
                assertTrue(html.contains("title=\"" + p.key() + "\""), "the page shows neighbour " + p.key());
                assertNotNull(p.jpeg(), "the neighbour's image was fetched");
            }
        }
        assertEquals(4 * 7, html.split("src=\"data:image/jpeg;base64,").length - 1, "4 queries + 24 neighbours embedded");
        BufferedImage png = ImageIO.read(out.resolve(Neighbours.PNG).toFile());
        assertEquals(8 + 128 + 8 + 320 + 8 + 6 * (128 + 8), png.getWidth(), "query, bars, 6 neighbours per row");
        assertEquals(8 + 4 * (128 + 30 + 8), png.getHeight(), "a row per query");
    }

    /** The single graph's softmax and fc7 (both columns), averaged over each image's views. */
    private static INDArray[] graphOutputs(ComputationGraph graph, float[] views, int n, int side) {
        INDArray input = Nd4j.create(views, new long[] {n, 3, side, side});
        Map<String, INDArray> all = graph.feedForward(input, false);
        INDArray fc7 = Nd4j.concat(1, all.get("fc7a"), all.get("fc7b"));
        return new INDArray[] {all.get("fc8").mean(0), fc7.mean(0)};
    }

    private static void assertTopK(INDArray probabilities, List<Row> top, String key) {
        double[] p = probabilities.toDoubleVector();
        assertEquals(Math.min(5, p.length), top.size(), key + ": top-k length");
        for (int i = 0; i < top.size(); i++) {
            int index = top.get(i).getInt(0);
            assertEquals(p[index], top.get(i).getDouble(3), TOLERANCE, key + ": probability of class " + index);
            if (i > 0) {
                assertTrue(top.get(i).getDouble(3) <= top.get(i - 1).getDouble(3), key + ": best first");
            }
        }
    }

    private static void assertFeatures(INDArray expected, List<Float> got, String key) {
        double[] e = expected.toDoubleVector();
        double scale = expected.amaxNumber().doubleValue();
        assertEquals(e.length, got.size(), key + ": 2 x fc7 width features");
        double[] g = got.stream().mapToDouble(Float::doubleValue).toArray();
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            worst = Math.max(worst, Math.abs(e[i] - g[i]));
        }
        assertTrue(scale > 0 && worst <= TOLERANCE * scale, key + ": features differ by " + worst + " (max " + scale + ")");
    }
}
