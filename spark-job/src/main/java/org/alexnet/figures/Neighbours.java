package org.alexnet.figures;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.alexnet.archive.ClassName;
import org.alexnet.archive.FilePublisher;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Usage;
import org.alexnet.predict.AlexNetModel;
import org.alexnet.predict.TaskSpread;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.spark.SparkCommand;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code deploy/alexnet neighbours --model DIR --data DIR --output DIR [--queries N]
 * [--neighbours K] [--query-split val|train] [--seed S] [--ten-crop]}: the paper's Figure 4 for
 * a trained model and a preprocessed dataset. N query images of the validation split (spread
 * over its classes, chosen by the seed), their top-5, and the K training images whose fc7
 * vectors are nearest in Euclidean distance, computed on Spark: the training split's features
 * through {@link AlexNetModel}, a distributed top-k per query ({@link NearestNeighbours}).
 * Writes OUTPUT/neighbours.html (self-contained) and OUTPUT/neighbours.png
 * ({@link NeighboursFigure}). Exit 0 = written, 1 = the job failed, 2 = bad command line, model or data.
 */
public final class Neighbours {
    private static final Logger LOG = LoggerFactory.getLogger(Neighbours.class);
    public static final String HTML = "neighbours.html";
    public static final String PNG = "neighbours.png";
    static final Usage USAGE = Usage.of("neighbours", "The paper's Figure 4: query images, their top-5 and the "
                    + "training images nearest in fc7, computed on Spark; writes OUTPUT/neighbours.html and .png. "
                    + "Exit 0 = written, 1 = the job failed, 2 = bad command line, model or data.")
            .required("model", "DIR", "a training output (its model.zip), or a model or checkpoint file")
            .required("data", "DIR", "a dataset made by deploy/alexnet preprocess")
            .required("output", "DIR", "where the figure goes")
            .option("queries", "N", "query images, spread over the classes (default 8, at most 1000)")
            .option("neighbours", "K", "nearest training images per query (default 6, at most 100)")
            .option("query-split", "val|train", "the split the queries come from (default val)")
            .option("seed", "S", "seed of the choice of queries")
            .option("batch-size", "N", "images per forward pass (default 32)")
            .flag("ten-crop", "the queries' top-5 from the paper's 10 views");

    /** What the command computed: the queries with their top-5 and neighbours. */
    public record Result(List<NeighboursFigure.Query> queries, Path html, Path png) {
    }

    private Neighbours() {
    }

    public static void main(String[] args) {
        SparkCommand.exit(SparkCommand.session("AlexNetNeighbours"), spark -> run(args, spark, System.out, System.err));
    }

    /** Runs the command in this JVM with the given session (tests, embedding); returns the exit code. */
    public static int run(String[] args, SparkSession spark, PrintStream out, PrintStream err) {
        return run(args, () -> spark, out, err);
    }

    private static int run(String[] args, Supplier<SparkSession> session, PrintStream out, PrintStream err) {
        if (USAGE.printIfAsked(args, out)) {
            return 0;
        }
        CommandLine cli;
        int queries;
        int neighbours;
        try {
            cli = CommandLine.parse(args, USAGE);
            queries = cli.intOption("queries", 8);
            neighbours = cli.intOption("neighbours", 6);
            if (queries < 1 || queries > 1000 || neighbours < 1 || neighbours > 100 || cli.intOption("batch-size", 32) < 1) {
                throw new ConfigException("--queries must be in [1, 1000], --neighbours in [1, 100], --batch-size >= 1");
            }
            String split = cli.option("query-split").orElse(DatasetLayout.VAL);
            if (!split.equals(DatasetLayout.VAL) && !split.equals(DatasetLayout.TRAIN)) {
                throw new ConfigException("--query-split must be val or train, got '" + split + "'");
            }
        } catch (ConfigException e) {
            err.println("neighbours: " + e.getMessage());
            err.println(USAGE.synopsis());
            return 2;
        }
        try {
            Result r = compute(session.get(), cli.require("model"), cli.require("data"), cli.require("output"),
                    queries, neighbours, cli.option("query-split").orElse(DatasetLayout.VAL), cli.intOption("seed", 1),
                    cli.flag("ten-crop"), cli.intOption("batch-size", 32));
            for (NeighboursFigure.Query q : r.queries()) {
                out.printf("%s (%s): top-1 %s %.3f; nearest: %s%n", q.image().key(), NeighboursFigure.label(q.image().cls()),
                        NeighboursFigure.label(q.top().get(0).cls()), q.top().get(0).probability(),
                        String.join(", ", q.neighbours().stream().map(NeighboursFigure.Picture::key).toList()));
            }
            out.println("html: " + r.html());
            out.println("png: " + r.png());
            return 0;
        } catch (IllegalArgumentException | IOException e) {
            err.println("neighbours: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            LOG.error("neighbours failed", e);
            err.println("neighbours failed: " + e);
            return 1;
        }
    }

    /** Computes and writes the figure; see the class comment. */
    public static Result compute(SparkSession spark, String model, String data, String output, int queryCount,
                                 int k, String querySplit, long seed, boolean tenCrop, int batchSize) throws IOException {
        Path dataDir = new Path(data);
        DatasetLayout.requireComplete(dataDir.getFileSystem(spark.sparkContext().hadoopConfiguration()), dataDir);
        AlexNetModel alexnet = new AlexNetModel().setModelPath(model).setInputCol(DatasetLayout.JPEG)
                .setPreprocessed(true).setTenCrop(tenCrop).setBatchSize(batchSize).setFeaturesCol("features");
        List<ClassName> classes = alexnet.classes();
        Dataset<Row> train = split(spark, data, DatasetLayout.TRAIN);
        Dataset<Row> candidates = querySplit.equals(DatasetLayout.TRAIN) ? train : split(spark, data, DatasetLayout.VAL);

        // the queries: their top-5 and features, on the driver (a few rows)
        List<String> keys = pickQueries(candidates, queryCount, seed);
        List<Row> scored = alexnet.transform(candidates.where(col(DatasetLayout.KEY).isin(keys.toArray())))
                .select(DatasetLayout.KEY, DatasetLayout.LABEL, DatasetLayout.JPEG, "predictions", "features", "error")
                .collectAsList();
        Map<String, Row> byKey = new HashMap<>();
        scored.forEach(r -> byKey.put(r.getString(0), r));
        List<Row> usable = new ArrayList<>();
        for (String key : keys) {
            Row r = byKey.get(key);
            if (r.isNullAt(4)) {
                LOG.warn("query image {} left out: {}", key, r.getString(5));
            } else {
                usable.add(r);
            }
        }
        if (usable.isEmpty()) {
            throw new IllegalArgumentException("none of the chosen query images could be read");
        }
        double[][] vectors = usable.stream().map(r -> ((Vector) r.get(4)).toArray()).toArray(double[][]::new);

        // the training split's features and the distributed top-k
        long trainCount = train.count();
        LOG.info("neighbours: fc7 features of {} training images for {} queries", trainCount, usable.size());
        Dataset<Row> trainFeatures = alexnet.copy(new org.apache.spark.ml.param.ParamMap()).setOutputCol("")
                .transform(TaskSpread.spread(train, trainCount, 256));
        List<List<NearestNeighbours.Neighbour>> nearest = NearestNeighbours.find(trainFeatures, DatasetLayout.KEY,
                DatasetLayout.LABEL, "features", vectors, k);

        // the neighbours' images (JPEG bytes of a few rows)
        List<String> neighbourKeys = nearest.stream().flatMap(List::stream).map(NearestNeighbours.Neighbour::key)
                .distinct().toList();
        Map<String, byte[]> jpegs = new HashMap<>();
        train.where(col(DatasetLayout.KEY).isin(neighbourKeys.toArray())).select(DatasetLayout.KEY, DatasetLayout.JPEG)
                .collectAsList().forEach(r -> jpegs.put(r.getString(0), (byte[]) r.get(1)));

        List<NeighboursFigure.Query> figure = new ArrayList<>();
        for (int i = 0; i < usable.size(); i++) {
            Row r = usable.get(i);
            NeighboursFigure.Picture image = new NeighboursFigure.Picture(r.getString(0), classes.get(r.getInt(1)),
                    (byte[]) r.get(2));
            List<NeighboursFigure.Guess> top = new ArrayList<>();
            for (Row p : r.<Row>getList(3)) {
                top.add(new NeighboursFigure.Guess(classes.get(p.getInt(0)), p.getDouble(3)));
            }
            List<NeighboursFigure.Picture> pictures = new ArrayList<>();
            List<Double> distances = new ArrayList<>();
            for (NearestNeighbours.Neighbour n : nearest.get(i)) {
                pictures.add(new NeighboursFigure.Picture(n.key(), n.label() < 0 ? null : classes.get(n.label()),
                        jpegs.get(n.key())));
                distances.add(n.distance());
            }
            figure.add(new NeighboursFigure.Query(image, top.subList(0, Math.min(5, top.size())), pictures, distances));
        }
        Map<String, String> about = new LinkedHashMap<>();
        about.put("model", model);
        about.put("dataset", data);
        about.put("queries", usable.size() + " images of " + querySplit + "/ (seed " + seed + ")"
                + (tenCrop ? ", 10 views" : ", centre crop"));
        about.put("searched", trainCount + " training images");
        return write(figure, about, output, k, spark);
    }

    private static Dataset<Row> split(SparkSession spark, String data, String split) {
        return spark.read().parquet(new Path(data, split).toString())
                .select(DatasetLayout.KEY, DatasetLayout.LABEL, DatasetLayout.JPEG);
    }

    /** N keys spread over the classes: classes in a seeded order, a seeded image of each in turn. */
    static List<String> pickQueries(Dataset<Row> split, int n, long seed) {
        Map<Integer, List<String>> byLabel = new TreeMap<>();
        for (Row r : split.select(DatasetLayout.KEY, DatasetLayout.LABEL).collectAsList()) {
            byLabel.computeIfAbsent(r.getInt(1), l -> new ArrayList<>()).add(r.getString(0));
        }
        Random random = new Random(seed);
        List<List<String>> pools = new ArrayList<>();
        for (List<String> keys : byLabel.values()) {
            Collections.sort(keys);
            Collections.shuffle(keys, random);
            pools.add(keys);
        }
        Collections.shuffle(pools, random);
        List<String> picked = new ArrayList<>();
        for (int round = 0; picked.size() < n; round++) {
            boolean any = false;
            for (List<String> pool : pools) {
                if (round < pool.size() && picked.size() < n) {
                    picked.add(pool.get(round));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        if (picked.isEmpty()) {
            throw new IllegalArgumentException("the query split has no images");
        }
        return picked;
    }

    private static Result write(List<NeighboursFigure.Query> figure, Map<String, String> about, String output, int k,
                                SparkSession spark) throws IOException {
        Path dir = new Path(output);
        FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
        fs.mkdirs(dir);
        Path html = new Path(dir, HTML);
        Path png = new Path(dir, PNG);
        byte[] page = NeighboursFigure.html(figure, about).getBytes(StandardCharsets.UTF_8);
        FilePublisher.publish(fs, html, page);
        var image = NeighboursFigure.png(figure, k);
        FilePublisher.publish(fs, png, o -> ImageIO.write(image, "png", o));
        return new Result(figure, fs.makeQualified(html), fs.makeQualified(png));
    }
}
