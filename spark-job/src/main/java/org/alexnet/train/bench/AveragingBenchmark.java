package org.alexnet.train.bench;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.alexnet.config.CommandLine;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Installation;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.bench.TrainStepBenchmark;
import org.alexnet.spark.SparkSerialization;
import org.alexnet.train.ParameterState;
import org.alexnet.train.RoundRunner;
import org.alexnet.train.RoundTransport;
import org.alexnet.train.TrainConfig;
import org.alexnet.train.WeightedSum;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.serializer.SerializationStream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.stats.EventStats;
import org.deeplearning4j.spark.time.SystemClockTimeSource;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.reflect.ClassTag$;

/**
 * {@code deploy/alexnet bench averaging}: the wall time of one parameter-averaging round of the
 * same model, in the same Spark session, for this project's round ({@link RoundRunner}) and for
 * DL4J's {@link ParameterAveragingTrainingMaster} (via {@link SparkComputationGraph}).
 *
 * <p>Both sides do the same work per round: the driver broadcasts parameters and momentum; each
 * of {@code --workers} tasks gets its worker's one-image minibatch (one partition each of the
 * same cached RDD), loads the state into a model, trains that one minibatch, and returns its
 * parameters and momentum; the results are tree-aggregated (depth 2) and averaged on the driver.
 * Each figure is the driver's wall time of the whole round:
 * <ul>
 * <li>ours: {@link RoundRunner#runOnMinibatches} (broadcast of {@link ParameterState}, the
 * executor's reusable replica, the same treeAggregate of {@link WeightedSum} as training) plus
 * {@link WeightedSum#average()};</li>
 * <li>DL4J: {@code SparkComputationGraph.fitMultiDataSet}, i.e. its count job, broadcast of the
 * configuration, parameters and updater state, a new graph per task, treeAggregate of
 * INDArrays, and setting the average into the driver's graph. Direct RDD training (no files),
 * batchSizePerWorker 1, averagingFrequency 1, no prefetch, saveUpdater true (momentum averaged
 * as ours is), no repartitioning (the data already has one partition per worker).</li>
 * </ul>
 * Rounds alternate between the two sides (which one goes first alternates too) so both see the
 * same machine load; a GC runs before each round, outside the timing. Options: --preset (full),
 * --classes (1000), --workers (2), --rounds (3), --warmup (1), --executor single|columns
 * (single: both sides train with {@code ComputationGraph.fit}), --set model.key=value.
 */
public final class AveragingBenchmark {
    private AveragingBenchmark() {
    }

    /** What to compare. */
    public record Settings(AlexNetConfig model, int workers, int rounds, int warmup, TrainConfig.Executor executor) {
    }

    /** Per-round seconds of each side (timed rounds only). */
    public record Report(double[] ours, double[] dl4j) {
        public double oursMedian() {
            return median(ours);
        }

        public double dl4jMedian() {
            return median(dl4j);
        }
    }

    public static void main(String[] args) {
        Settings settings;
        try {
            CommandLine cli = CommandLine.parse(args, Set.of("preset", "classes", "workers", "rounds", "warmup",
                    "executor"), Set.of());
            Map<String, String> fromOptions = new LinkedHashMap<>();
            fromOptions.put(AlexNetConfig.PRESET.name(), cli.option("preset").orElse("full"));
            cli.option("classes").ifPresent(c -> fromOptions.put(AlexNetConfig.CLASSES.name(), c));
            Config config = cli.resolve(AlexNetConfig.SCHEMA, Installation.confFiles("model.properties"), fromOptions);
            String executor = cli.option("executor").orElse("single");
            if (!Set.of("single", "columns").contains(executor)) {
                throw new ConfigException("option --executor: '" + executor + "' is not one of single | columns");
            }
            settings = new Settings(AlexNetConfig.from(config), cli.intOption("workers", 2), cli.intOption("rounds", 3),
                    cli.intOption("warmup", 1), TrainConfig.Executor.valueOf(executor.toUpperCase()));
            if (settings.workers() < 1 || settings.rounds() < 1 || settings.warmup() < 0) {
                throw new ConfigException("options --workers and --rounds must be >= 1, --warmup >= 0");
            }
        } catch (ConfigException e) {
            System.err.println("bench averaging: " + e.getMessage());
            System.exit(2);
            return;
        }
        // the training job's session settings (RoundTransport, SparkSerialization), for both sides alike;
        // with Kryo, DL4J's side needs ND4J's registrator for its INDArrays
        SparkConf conf = RoundTransport.apply(SparkSerialization.apply(new SparkConf().setAppName("AveragingBenchmark")
                .setIfMissing("spark.master", "local[*]")));
        if (SparkSerialization.usesKryo(conf)) {
            SparkSerialization.addRegistrator(conf, org.nd4j.kryo.Nd4jRegistrator.class.getName());
        }
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        int exit = 0;
        try {
            run(spark, settings, System.out);
        } catch (RuntimeException e) {
            e.printStackTrace();
            exit = 1;
        } finally {
            spark.stop();
        }
        System.exit(exit);
    }

    /** Runs the comparison on the given session, printing each round, the medians and the breakdown to {@code out}. */
    public static Report run(SparkSession spark, Settings s, PrintStream out) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        AlexNetConfig model = s.model();
        // DL4J's training stats time events by NTP by default (a network query); this JVM's clock is
        // what we want on one machine (on a cluster, set the same property on the executors)
        if (System.getProperty(DL4JSystemProperties.TIMESOURCE_CLASSNAME_PROPERTY) == null) {
            System.setProperty(DL4JSystemProperties.TIMESOURCE_CLASSNAME_PROPERTY,
                    SystemClockTimeSource.class.getName());
        }
        // one random one-image minibatch per worker, one partition each, cached once for both sides
        List<MultiDataSet> images = new ArrayList<>();
        for (int w = 0; w < s.workers(); w++) {
            images.add(TrainStepBenchmark.randomBatch(model, 1, model.seed() + w));
        }
        JavaRDD<MultiDataSet> data = sc.parallelize(images, s.workers()).persist(StorageLevel.MEMORY_ONLY_SER());
        data.count();

        ComputationGraph graph = AlexNet.build(model);
        Ours ours = new Ours(sc, data, model, s.executor(), ParameterState.of(graph));
        Dl4j dl4j = new Dl4j(sc, data, graph, s.workers());
        TaskListener tasks = new TaskListener();
        spark.sparkContext().addSparkListener(tasks);

        out.printf("averaging preset=%s parameters=%d workers=%d executor=%s master=%s serializer=%s "
                        + "broadcast.compress=%s task.maxDirectResultSize=%s rounds=%d warmup=%d load=%.2f%n",
                model.preset(), graph.numParams(), s.workers(), s.executor().name().toLowerCase(), sc.master(),
                sc.getConf().get("spark.serializer", "org.apache.spark.serializer.JavaSerializer"),
                sc.getConf().get("spark.broadcast.compress", "true"),
                sc.getConf().get("spark.task.maxDirectResultSize", "1m"), s.rounds(), s.warmup(), load());
        Side[] sides = {ours, dl4j};
        double[][] seconds = new double[2][s.rounds()];
        List<Map<String, Double>> breakdowns = List.of(new TreeMap<>(), new TreeMap<>());
        List<List<Map<String, Double>>> perRound = List.of(new ArrayList<>(), new ArrayList<>());
        for (int r = 0; r < s.warmup() + s.rounds(); r++) {
            boolean timed = r >= s.warmup();
            StringBuilder line = new StringBuilder(timed ? "round " + (r - s.warmup() + 1) : "warm-up " + (r + 1));
            for (int k = 0; k < 2; k++) {
                int side = (r % 2 == 0) ? k : 1 - k; // alternate who goes first
                System.gc();
                tasks.reset();
                double t = sides[side].round();
                Map<String, Double> b = new TreeMap<>(sides[side].breakdown());
                b.putAll(tasks.summary(sc));
                if (timed) {
                    seconds[side][r - s.warmup()] = t;
                    perRound.get(side).add(b);
                }
            }
            for (int side = 0; side < 2; side++) {
                line.append(String.format(": %s %.2f s", sides[side].name(),
                        timed ? seconds[side][r - s.warmup()] : sides[side].lastSeconds()));
            }
            out.println(line);
        }
        Report report = new Report(seconds[0], seconds[1]);
        for (int side = 0; side < 2; side++) {
            for (String key : perRound.get(side).get(0).keySet()) {
                double[] v = perRound.get(side).stream().mapToDouble(m -> m.getOrDefault(key, Double.NaN)).toArray();
                breakdowns.get(side).put(key, median(v));
            }
        }
        out.printf("ours (RoundRunner, broadcast + %d tasks on reused replicas + treeAggregate + average): "
                        + "median %.2f s/round (rounds: %s s)%n", s.workers(), report.oursMedian(), list(report.ours()));
        out.printf("dl4j (ParameterAveragingTrainingMaster, SparkComputationGraph.fitMultiDataSet): "
                + "median %.2f s/round (rounds: %s s)%n", report.dl4jMedian(), list(report.dl4j()));
        out.printf("ours/dl4j: %.2f (goal <= 0.5), load average %.2f%n", report.oursMedian() / report.dl4jMedian(),
                load());
        out.printf("bytes per round: ours broadcast %s + results %s; dl4j broadcast %s + results %s%n",
                mb((double) ours.broadcastBytes()), mb(breakdowns.get(0).get("spark.result-bytes")),
                mb((double) dl4j.broadcastBytes()), mb(breakdowns.get(1).get("spark.result-bytes")));
        for (int side = 0; side < 2; side++) {
            StringBuilder b = new StringBuilder("breakdown " + sides[side].name() + " (medians over rounds):");
            breakdowns.get(side).forEach((k, v) -> b.append(String.format(" %s=%s", k,
                    k.endsWith("bytes") ? mb(v) : String.format("%.3f", v))));
            out.println(b);
        }
        data.unpersist(false);
        return report;
    }

    /** One side of the comparison. */
    private interface Side {
        String name();

        /** Runs one round; returns its wall seconds. */
        double round();

        double lastSeconds();

        /** The side's own figures of its last round (seconds unless the key ends in "bytes"). */
        Map<String, Double> breakdown();
    }

    /** This project's round: the training job's broadcast, worker replica and aggregation. */
    private static final class Ours implements Side {
        private final JavaSparkContext sc;
        private final JavaRDD<MultiDataSet> data;
        private final AlexNetConfig model;
        private final TrainConfig.Executor executor;
        private ParameterState state;
        private double broadcastSeconds;
        private double averageSeconds;
        private double last;
        private double computeSeconds;

        Ours(JavaSparkContext sc, JavaRDD<MultiDataSet> data, AlexNetConfig model, TrainConfig.Executor executor,
             ParameterState state) {
            this.sc = sc;
            this.data = data;
            this.model = model;
            this.executor = executor;
            this.state = state;
        }

        @Override
        public String name() {
            return "ours";
        }

        @Override
        public double round() {
            long t0 = System.nanoTime();
            WeightedSum sum = RoundRunner.runOnMinibatches(sc, data, model, executor, state, model.learningRate(),
                    s -> broadcastSeconds = s);
            long t1 = System.nanoTime();
            ParameterState next = sum.average();
            long t2 = System.nanoTime();
            int workers = data.getNumPartitions();
            if (sum.workers() != workers || sum.examples() != workers || sum.nonFinite()) {
                throw new IllegalStateException("our round did not train one image on each of " + workers
                        + " workers: " + sum.workers() + " workers, " + sum.examples() + " examples");
            }
            state = next;
            averageSeconds = (t2 - t1) / 1e9;
            last = (t2 - t0) / 1e9;
            return last;
        }

        @Override
        public double lastSeconds() {
            return last;
        }

        @Override
        public Map<String, Double> breakdown() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("driver.broadcast-create", broadcastSeconds);
            m.put("driver.average", averageSeconds);
            return m;
        }

        long broadcastBytes() {
            return serializedBytes(state);
        }
    }

    /** DL4J's parameter averaging on the same model and data. */
    private static final class Dl4j implements Side {
        private final JavaRDD<MultiDataSet> data;
        private final SparkComputationGraph net;
        private final Map<String, Integer> seen = new TreeMap<>();
        private Map<String, Double> lastStats = Map.of();
        private double last;

        Dl4j(JavaSparkContext sc, JavaRDD<MultiDataSet> data, ComputationGraph graph, int workers) {
            this.data = data;
            ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(workers, 1)
                    .batchSizePerWorker(1)
                    .averagingFrequency(1)
                    .workerPrefetchNumBatches(0)
                    .saveUpdater(true)
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .repartionData(Repartition.Never)
                    .storageLevel(StorageLevel.MEMORY_ONLY_SER())
                    .aggregationDepth(2)
                    .collectTrainingStats(true)
                    .build();
            this.net = new SparkComputationGraph(sc, graph, master);
        }

        @Override
        public String name() {
            return "dl4j";
        }

        @Override
        public double round() {
            long t0 = System.nanoTime();
            ComputationGraph g = net.fitMultiDataSet(data);
            last = (System.nanoTime() - t0) / 1e9;
            if (!Double.isFinite(g.score())) {
                throw new IllegalStateException("DL4J's round produced a non-finite score");
            }
            lastStats = newStats();
            return last;
        }

        /** Mean duration of each DL4J training-stats event recorded during the last round, in seconds. */
        private Map<String, Double> newStats() {
            Map<String, Double> m = new TreeMap<>();
            SparkTrainingStats stats = net.getSparkTrainingStats();
            if (stats == null) {
                return m;
            }
            for (String key : stats.getKeySet()) {
                List<EventStats> events = stats.getValue(key);
                if (events == null) {
                    continue;
                }
                int from = seen.getOrDefault(key, 0);
                seen.put(key, events.size());
                if (events.size() > from) {
                    m.put("dl4j." + key.replaceAll("TimesMs$|TimeMs$", ""), events.subList(from, events.size()).stream()
                            .mapToDouble(e -> e.getDurationMs() / 1e3).average().orElse(Double.NaN));
                }
            }
            return m;
        }

        @Override
        public double lastSeconds() {
            return last;
        }

        @Override
        public Map<String, Double> breakdown() {
            return lastStats;
        }

        /** The size of what DL4J broadcasts each round (its worker instance's NetBroadcastTuple). */
        long broadcastBytes() {
            ComputationGraph g = net.getNetwork();
            return serializedBytes(new NetBroadcastTuple(g.getConfiguration(), g.params(),
                    g.getUpdater().getStateViewArray()));
        }
    }

    /**
     * Spark's own task metrics of the round's jobs, the same for both sides: the slowest task's
     * run time, result serialisation and result fetch, and the bytes of all task results.
     */
    private static final class TaskListener extends SparkListener {
        private final List<SparkListenerTaskEnd> ends = new ArrayList<>();
        private int jobs;

        synchronized void reset() {
            ends.clear();
            jobs = 0;
        }

        @Override
        public synchronized void onJobStart(SparkListenerJobStart jobStart) {
            jobs++;
        }

        @Override
        public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
            ends.add(e);
        }

        Map<String, Double> summary(JavaSparkContext sc) {
            // listener events arrive asynchronously: drain the bus before reading this round's
            try {
                sc.sc().listenerBus().waitUntilEmpty(60_000);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Spark's listener bus did not drain in 60 s", e);
            }
            synchronized (this) {
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("spark.jobs", (double) jobs);
                m.put("spark.tasks", (double) ends.size());
                double run = 0;
                double ser = 0;
                double fetch = 0;
                double bytes = 0;
                for (SparkListenerTaskEnd e : ends) {
                    if (e.taskMetrics() == null) {
                        continue;
                    }
                    run = Math.max(run, e.taskMetrics().executorRunTime() / 1e3);
                    ser = Math.max(ser, e.taskMetrics().resultSerializationTime() / 1e3);
                    if (e.taskInfo().gettingResultTime() > 0) {
                        fetch = Math.max(fetch, (e.taskInfo().finishTime() - e.taskInfo().gettingResultTime()) / 1e3);
                    }
                    bytes += e.taskMetrics().resultSize();
                }
                m.put("spark.max-task-run", run);
                m.put("spark.max-result-serialize", ser);
                m.put("spark.max-result-fetch", fetch);
                m.put("spark.result-bytes", bytes);
                return m;
            }
        }
    }

    /** Bytes of {@code value} in Spark's configured serializer (what a broadcast stores before compression). */
    static long serializedBytes(Object value) {
        long[] n = new long[1];
        OutputStream counter = new OutputStream() {
            @Override
            public void write(int b) {
                n[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                n[0] += len;
            }
        };
        SerializationStream s = SparkEnv.get().serializer().newInstance().serializeStream(counter);
        s.writeObject(value, ClassTag$.MODULE$.apply(Object.class));
        s.close();
        return n[0];
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String list(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double x : v) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%.2f", x));
        }
        return sb.toString();
    }

    private static String mb(Double bytes) {
        return bytes == null ? "?" : String.format("%.1f MB", bytes / 1e6);
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
