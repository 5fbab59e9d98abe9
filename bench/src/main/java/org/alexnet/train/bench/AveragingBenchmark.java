package org.alexnet.train.bench;

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
import org.alexnet.config.Usage;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.bench.TrainStepBenchmark;
import org.alexnet.spark.SparkSerialization;
import org.alexnet.train.InMemoryMinibatches;
import org.alexnet.train.ParameterState;
import org.alexnet.train.RoundRunner;
import org.alexnet.train.RoundTransport;
import org.alexnet.train.TrainConfig;
import org.alexnet.train.averaging.AveragedRound;
import org.alexnet.train.averaging.RoundTraffic;
import org.alexnet.train.averaging.ShardPlan;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.stats.EventStats;
import org.deeplearning4j.spark.time.SystemClockTimeSource;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * {@code deploy/alexnet bench averaging}: the wall time of one parameter-averaging round of the
 * same model, in the same Spark session, for this project's round ({@link RoundRunner}) and for
 * DL4J's {@link ParameterAveragingTrainingMaster} (via {@link SparkComputationGraph}).
 *
 * <p>Both sides do the same work per round: the driver broadcasts parameters and momentum; each
 * of {@code --workers} tasks gets its worker's one-image minibatch (one partition each of the
 * same cached RDD), loads the state into a model, trains that one minibatch, and returns its
 * parameters and momentum, which are averaged. Each figure is the driver's wall time of the whole
 * round:
 * <ul>
 * <li>ours: {@link RoundRunner#runOn} (broadcast of {@link ParameterState}, the executor's
 * reusable replica, the workers' states cut into shards and averaged on the executors through
 * Spark's shuffle, ONE averaged state to the driver), exactly the training job's round;</li>
 * <li>DL4J: {@code SparkComputationGraph.fitMultiDataSet}, i.e. its count job, broadcast of the
 * configuration, parameters and updater state, a new graph per task, treeAggregate of every
 * worker's INDArrays towards the driver, and setting the average into the driver's graph. Direct
 * RDD training (no files), batchSizePerWorker 1, averagingFrequency 1, no prefetch, saveUpdater
 * true (momentum averaged as ours is), no repartitioning, aggregation depth 2.</li>
 * </ul>
 * Per side it prints the bytes the driver received per round (every task result: Spark's
 * {@code resultSize}), the peak heap of this JVM during the side's rounds, the round overhead
 * (wall time minus the slowest worker's training time) and a breakdown. Rounds alternate between
 * the two sides (which one goes first alternates too) so both see the same machine load; a GC
 * runs before each round, outside the timing. DL4J's side gathers whole worker states in the
 * driver's heap; with {@code --dl4j auto} it is run only when the heap holds its estimated need
 * ({@link #dl4jHeapNeed}), and its line says when it was not. Options: --preset (full), --classes
 * (1000), --workers (2), --rounds (3), --warmup (1), --executor single|columns (single),
 * --dl4j auto|on|off (auto), --set model.key=value / train.key=value (e.g. train.averaging.shards).
 */
public final class AveragingBenchmark {
    static final Usage USAGE = Usage.of("bench averaging", "The wall time of one parameter-averaging round of the "
                    + "same model in the same Spark session: this project's round against DL4J's "
                    + "ParameterAveragingTrainingMaster, rounds alternating; with the driver's inbound bytes, peak "
                    + "heap, round overhead and a breakdown per side.")
            .option("preset", "NAME", "full | small | tiny (default full)")
            .option("classes", "N", "output classes (default 1000)")
            .option("workers", "N", "model replicas, one task each (default 2)")
            .option("rounds", "N", "timed rounds per side (default 3)")
            .option("warmup", "N", "untimed rounds per side first (default 1)")
            .option("executor", "single|columns", "how a worker runs the columns (default single)")
            .option("dl4j", "auto|on|off", "DL4J's side: auto = only when the heap holds its estimated need")
            .config(TrainConfig.SCHEMA, "model.properties");

    private AveragingBenchmark() {
    }

    /** What to compare. */
    public record Settings(AlexNetConfig model, TrainConfig train, int workers, int rounds, int warmup, Dl4jMode dl4j) {
    }

    /** Whether DL4J's side runs: when its estimated heap need fits (auto), always, or never. */
    public enum Dl4jMode { AUTO, ON, OFF }

    /** Per-round seconds of each side (timed rounds only). */
    public record Report(double[] ours, double[] dl4j, double oursInboundBytes, double oursOverheadSeconds) {
        public double oursMedian() {
            return median(ours);
        }

        public double dl4jMedian() {
            return median(dl4j);
        }
    }

    public static void main(String[] args) {
        if (USAGE.printIfAsked(args, System.out)) {
            System.exit(0);
        }
        Settings settings;
        try {
            CommandLine cli = CommandLine.parse(args, USAGE);
            Map<String, String> fromOptions = new LinkedHashMap<>();
            fromOptions.put(AlexNetConfig.PRESET.name(), cli.option("preset").orElse("full"));
            cli.option("classes").ifPresent(c -> fromOptions.put(AlexNetConfig.CLASSES.name(), c));
            fromOptions.put(TrainConfig.EXECUTOR.name(), cli.option("executor").orElse("single"));
            Config config = cli.resolve(TrainConfig.SCHEMA, Installation.confFiles("model.properties"), fromOptions);
            String dl4j = cli.option("dl4j").orElse("auto");
            if (!Set.of("auto", "on", "off").contains(dl4j)) {
                throw new ConfigException("option --dl4j: '" + dl4j + "' is not one of auto | on | off");
            }
            settings = new Settings(AlexNetConfig.from(config), TrainConfig.from(config), cli.intOption("workers", 2),
                    cli.intOption("rounds", 3), cli.intOption("warmup", 1), Dl4jMode.valueOf(dl4j.toUpperCase()));
            if (settings.workers() < 1 || settings.rounds() < 1 || settings.warmup() < 0) {
                throw new ConfigException("options --workers and --rounds must be >= 1, --warmup >= 0");
            }
        } catch (ConfigException e) {
            System.err.println("bench averaging: " + e.getMessage());
            System.err.println(USAGE.synopsis());
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
        ParameterState initial = ParameterState.of(graph);
        long stateBytes = initial.bytes();
        ShardPlan shards = ShardPlan.auto(initial.size(), initial.params().valueBytes(), s.workers(),
                s.train().averagingShards());
        List<Side> sides = new ArrayList<>();
        sides.add(new Ours(sc, data, model, s.train(), initial));
        long heap = Runtime.getRuntime().maxMemory();
        String dl4jSkipped = dl4jSkipReason(s, stateBytes, heap,
                org.apache.spark.network.util.JavaUtils.byteStringAsBytes(sc.getConf().get("spark.driver.maxResultSize", "1g")));
        boolean runDl4j = dl4jSkipped == null;
        if (runDl4j) {
            sides.add(new Dl4j(sc, data, graph, s.workers()));
        }
        RoundTraffic traffic = RoundTraffic.install(sc);

        out.printf("averaging preset=%s parameters=%d state=%s workers=%d shards=%d executor=%s master=%s serializer=%s "
                        + "broadcast.compress=%s driver.maxResultSize=%s heap=%s rounds=%d warmup=%d load=%.2f%n",
                model.preset(), graph.numParams(), mb(stateBytes), s.workers(), shards.shards(),
                s.train().executor().name().toLowerCase(), sc.master(),
                sc.getConf().get("spark.serializer", "org.apache.spark.serializer.JavaSerializer"),
                sc.getConf().get("spark.broadcast.compress", "true"), sc.getConf().get("spark.driver.maxResultSize", "1g"),
                mb(heap), s.rounds(), s.warmup(), load());
        int n = sides.size();
        double[][] seconds = new double[n][s.rounds()];
        List<List<Map<String, Double>>> perRound = new ArrayList<>();
        double[] peakHeap = new double[n];
        double[] peakLive = new double[n];
        for (int k = 0; k < n; k++) {
            perRound.add(new ArrayList<>());
        }
        String dl4jFailure = null;
        for (int r = 0; r < s.warmup() + s.rounds(); r++) {
            boolean timed = r >= s.warmup();
            StringBuilder line = new StringBuilder(timed ? "round " + (r - s.warmup() + 1) : "warm-up " + (r + 1));
            double[] last = new double[n];
            for (int k = 0; k < n; k++) {
                int side = (r % 2 == 0) ? k : n - 1 - k; // alternate who goes first
                if (side > 0 && dl4jFailure != null) {
                    continue;
                }
                System.gc();
                Side current = sides.get(side);
                HeapPeak peak = HeapPeak.start();
                RoundTraffic.Measured<Double> m;
                try {
                    m = traffic.measure(sc, current.name() + " " + r, current::round);
                } catch (RuntimeException | OutOfMemoryError e) {
                    if (side == 0) {
                        throw e;
                    }
                    // DL4J's side failing (memory, Spark's limits) ends its part, not the benchmark
                    peak.stop();
                    dl4jFailure = (timed ? "round " + (r - s.warmup() + 1) : "warm-up " + (r + 1)) + ": " + e;
                    continue;
                }
                double[] heapPeaks = peak.stop();
                last[side] = m.value();
                if (timed) {
                    seconds[side][r - s.warmup()] = m.value();
                    Map<String, Double> b = new TreeMap<>(current.breakdown());
                    b.put("driver-inbound-bytes", (double) m.figures().driverInboundBytes());
                    b.put("spark.tasks", (double) m.figures().tasks());
                    b.put("spark.worker-stage", m.figures().workerStageSeconds());
                    b.put("spark.piece-write", m.figures().slowestPieceWriteSeconds());
                    b.put("spark.result-stage", m.figures().shardStageSeconds());
                    b.put("spark.max-result-fetch", m.figures().slowestResultFetchSeconds());
                    perRound.get(side).add(b);
                    peakHeap[side] = Math.max(peakHeap[side], heapPeaks[0]);
                    peakLive[side] = Math.max(peakLive[side], heapPeaks[1]);
                }
            }
            for (int side = 0; side < n; side++) {
                line.append(side > 0 && dl4jFailure != null ? ": " + sides.get(side).name() + " failed"
                        : String.format(": %s %.2f s", sides.get(side).name(), last[side]));
            }
            out.println(line);
        }
        traffic.close(sc);
        List<Map<String, Double>> medians = new ArrayList<>();
        if (dl4jFailure != null) {
            n = 1;
            runDl4j = false;
        }
        for (int side = 0; side < n; side++) {
            Map<String, Double> med = new TreeMap<>();
            for (String key : perRound.get(side).get(0).keySet()) {
                med.put(key, median(perRound.get(side).stream().mapToDouble(m -> m.getOrDefault(key, Double.NaN))
                        .toArray()));
            }
            medians.add(med);
        }
        Map<String, Double> ours = medians.get(0);
        out.printf("ours (RoundRunner: broadcast + %d tasks on reused replicas + %d-shard averaging on the executors): "
                + "median %.2f s/round (rounds: %s s)%n", s.workers(), shards.shards(), median(seconds[0]),
                list(seconds[0]));
        out.printf("ours driver inbound per round: %s (%.2f x the state of %s)%n", mb(ours.get("driver-inbound-bytes")),
                ours.get("driver-inbound-bytes") / stateBytes, mb(stateBytes));
        out.printf("ours peak driver heap: %s in use, %s after garbage collections (this JVM: driver and local "
                + "executors)%n", mb(peakHeap[0]), peakLive[0] > 0 ? mb(peakLive[0]) : "no collection");
        int slots = sc.sc().defaultParallelism();
        out.printf("ours round overhead: %.2f s (round wall time minus the slowest worker's training, median)%s%n",
                ours.get("round-overhead"), s.workers() > slots ? String.format("; %d workers ran %d at a time on this "
                        + "master's %d task slots, so the other workers' training is inside the overhead", s.workers(),
                        slots, slots) : "");
        out.printf("ours breakdown (medians, s): broadcast %.3f, worker step %.3f (stage %.3f, writing pieces %.3f), "
                        + "shard exchange %.3f, average %.3f, driver receive %.3f (shard stage %.3f)%n", ours.get("broadcast"),
                ours.get("worker-step"), ours.get("spark.worker-stage"), ours.get("spark.piece-write"), ours.get("shard-exchange"),
                ours.get("average"), ours.get("driver-receive"), ours.get("spark.result-stage"));
        double dl4jMedian = Double.NaN;
        if (runDl4j) {
            Map<String, Double> dl4j = medians.get(1);
            dl4jMedian = median(seconds[1]);
            out.printf("dl4j (ParameterAveragingTrainingMaster, SparkComputationGraph.fitMultiDataSet): "
                    + "median %.2f s/round (rounds: %s s)%n", dl4jMedian, list(seconds[1]));
            out.printf("dl4j driver inbound per round: %s (%.2f x the state of %s)%n",
                    mb(dl4j.get("driver-inbound-bytes")), dl4j.get("driver-inbound-bytes") / stateBytes, mb(stateBytes));
            out.printf("dl4j peak driver heap: %s in use, %s after garbage collections (this JVM: driver and local "
                    + "executors)%n", mb(peakHeap[1]), peakLive[1] > 0 ? mb(peakLive[1]) : "no collection");
            out.printf("ours/dl4j: %.2f, load average %.2f%n", median(seconds[0]) / dl4jMedian, load());
            StringBuilder b = new StringBuilder("dl4j breakdown (medians):");
            dl4j.forEach((k, v) -> b.append(String.format(" %s=%s", k, k.endsWith("bytes") ? mb(v)
                    : String.format("%.3f", v))));
            out.println(b);
        } else if (dl4jFailure != null) {
            out.printf("dl4j: did not complete at %d workers (%s); its treeAggregate gathers every worker's whole "
                    + "state (%s each) towards the driver%n", s.workers(), dl4jFailure, mb(stateBytes));
        } else {
            out.printf("dl4j: not run (%s); --dl4j on runs it anyway%n", dl4jSkipped);
        }
        data.unpersist(false);
        return new Report(seconds[0], runDl4j ? seconds[1] : new double[0], ours.get("driver-inbound-bytes"),
                ours.get("round-overhead"));
    }

    /**
     * Why DL4J's side is not run, or null when it is: --dl4j off; or, with auto, its estimated
     * heap need ({@link #dl4jHeapNeed}) exceeds the heap, or its task results (W whole states,
     * which its aggregation returns to the driver) exceed {@code spark.driver.maxResultSize}.
     */
    static String dl4jSkipReason(Settings s, long stateBytes, long heap, long maxResultSize) {
        if (s.dl4j() == Dl4jMode.ON) {
            return null;
        }
        if (s.dl4j() == Dl4jMode.OFF) {
            return "--dl4j off";
        }
        long need = dl4jHeapNeed(stateBytes, s.workers());
        if (need > heap) {
            return String.format("its treeAggregate gathers every worker's whole state (%s each) towards the driver "
                    + "and needs an estimated %s of heap at %d workers, this JVM has %s", mb(stateBytes), mb(need),
                    s.workers(), mb(heap));
        }
        long results = s.workers() * stateBytes;
        if (maxResultSize > 0 && results > maxResultSize) {
            return String.format("its tasks return %d whole states, %s, above spark.driver.maxResultSize (%s); "
                    + "--conf spark.driver.maxResultSize=0 lifts the limit", s.workers(), mb(results), mb(maxResultSize));
        }
        return null;
    }

    /**
     * DL4J's estimated heap need for one round: its aggregation keeps whole serialized worker
     * results and their merged sums on the driver (one JVM here), besides the driver's network,
     * its broadcast, the cached minibatches and our side's state (measured with the full model in
     * one 8 GB JVM: 2 workers peak at 7.3 GB; 4 workers run out of heap in Spark's task-result
     * thread, which hangs the job; 8 workers ran out of 14 GB).
     */
    static long dl4jHeapNeed(long stateBytes, int workers) {
        return (3L * workers + 6) * stateBytes;
    }

    /** One side of the comparison. */
    private interface Side {
        String name();

        /** Runs one round; returns its wall seconds. */
        Double round();

        /** The side's own figures of its last round, in seconds. */
        Map<String, Double> breakdown();
    }

    /** This project's round: the training job's broadcast, worker replica and sharded averaging. */
    private static final class Ours implements Side {
        private final JavaSparkContext sc;
        private final JavaRDD<MultiDataSet> data;
        private final AlexNetConfig model;
        private final TrainConfig train;
        private final InMemoryMinibatches source;
        private ParameterState state;
        private Map<String, Double> breakdown = Map.of();

        Ours(JavaSparkContext sc, JavaRDD<MultiDataSet> data, AlexNetConfig model, TrainConfig train,
             ParameterState state) {
            this.sc = sc;
            this.data = data;
            this.model = model;
            this.train = train;
            this.state = state;
            this.source = new InMemoryMinibatches(model.seed());
        }

        @Override
        public String name() {
            return "ours";
        }

        @Override
        public Double round() {
            double[] broadcast = new double[1];
            long t0 = System.nanoTime();
            AveragedRound round = RoundRunner.runOn(sc, data, model, train, state, model.learningRate(), source,
                    "bench round", b -> broadcast[0] = b);
            double seconds = (System.nanoTime() - t0) / 1e9;
            int workers = data.getNumPartitions();
            if (round.workers().size() != workers || round.examples() != workers || round.nonFinite()) {
                throw new IllegalStateException("our round did not train one image on each of " + workers
                        + " workers: " + round.workers().size() + " workers, " + round.examples() + " examples");
            }
            state = round.state();
            breakdown = Map.of("broadcast", broadcast[0], "worker-step", round.slowestWorkerSeconds(),
                    "round-overhead", seconds - round.slowestWorkerSeconds(),
                    "shard-exchange", round.shardTimes().slowestFetchSeconds(),
                    "average", round.shardTimes().slowestAverageSeconds(),
                    "driver-receive", round.shardTimes().driverReceiveSeconds());
            return seconds;
        }

        @Override
        public Map<String, Double> breakdown() {
            return breakdown;
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
        public Double round() {
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
        public Map<String, Double> breakdown() {
            return lastStats;
        }

    }

    /**
     * The heap this JVM uses while a round runs: the peak of what is in use (sampled every
     * millisecond; garbage included, as Spark's JVMHeapMemory metric counts it) and the peak of what
     * remains in use after each garbage collection during the round (the live data, plus garbage a
     * young collection leaves in the old generation).
     */
    private static final class HeapPeak implements Runnable, javax.management.NotificationListener {
        private static final Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
                .map(java.lang.management.MemoryPoolMXBean::getName).collect(java.util.stream.Collectors.toSet());
        private final Thread thread;
        private volatile boolean running = true;
        private long peak;
        private long peakAfterGc;

        private HeapPeak() {
            thread = new Thread(this, "heap-peak");
            thread.setDaemon(true);
        }

        static HeapPeak start() {
            HeapPeak p = new HeapPeak();
            for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((javax.management.NotificationEmitter) gc).addNotificationListener(p, null, null);
            }
            p.thread.start();
            return p;
        }

        @Override
        public void run() {
            java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            while (running) {
                peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed());
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public synchronized void handleNotification(javax.management.Notification n, Object handback) {
            if (!com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                return;
            }
            var info = com.sun.management.GarbageCollectionNotificationInfo.from(
                    (javax.management.openmbean.CompositeData) n.getUserData());
            long used = 0;
            for (var pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (HEAP_POOLS.contains(pool.getKey())) {
                    used += pool.getValue().getUsed();
                }
            }
            peakAfterGc = Math.max(peakAfterGc, used);
        }

        /** [peak in use, peak after GC (0 when no collection ran)], in bytes. */
        synchronized double[] stop() {
            running = false;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                try {
                    ((javax.management.NotificationEmitter) gc).removeNotificationListener(this);
                } catch (javax.management.ListenerNotFoundException e) {
                    // not added to this one
                }
            }
            return new double[] {peak, peakAfterGc};
        }
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

    private static String mb(double bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
