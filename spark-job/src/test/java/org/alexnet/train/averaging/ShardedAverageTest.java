package org.alexnet.train.averaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * The sharded average on a local[2] session: the example-weighted mean of the workers' states,
 * bit for bit the same whatever the shard count and the order in which workers' tasks and pieces
 * come, with ONE state's worth of bytes reaching the driver.
 */
class ShardedAverageTest {
    private static final int SIZE = 300_007; // not a multiple of any shard count used
    private static SparkSession spark;
    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        // the training job's session settings (its shuffle writer among them)
        spark = SparkSession.builder().config(org.alexnet.train.RoundTransport.apply(new org.apache.spark.SparkConf()))
                .master("local[2]").appName("ShardedAverageTest").config("spark.ui.enabled", "false").getOrCreate();
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** A worker's trained vectors and examples, as the pieces' source. */
    record Trained(int worker, long examples, float[] params, float[] momentum) implements java.io.Serializable {
        static Trained random(int worker, long examples, long seed) {
            Random r = new Random(seed);
            float[] p = new float[SIZE];
            float[] m = new float[SIZE];
            for (int i = 0; i < SIZE; i++) {
                p[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 4));
                m[i] = (float) (r.nextGaussian() * 1e-3);
            }
            return new Trained(worker, examples, p, m);
        }

        Iterator<Tuple2<Integer, StatePiece>> pieces(ShardPlan plan) {
            WorkerStats stats = new WorkerStats(worker, examples, 1, examples * 0.5, 0.1, 0.9);
            return ShardedAverage.pieces(plan, stats, (from, to) -> FlatArray.of(params).slice(from, to),
                    (from, to) -> FlatArray.of(momentum).slice(from, to));
        }
    }

    /** The formula, computed independently: sum over workers in worker order of examples * value, / examples. */
    private static float[] expected(List<Trained> workers, boolean momentum) {
        List<Trained> byWorker = new ArrayList<>(workers);
        byWorker.sort(java.util.Comparator.comparingInt(Trained::worker));
        long n = byWorker.stream().mapToLong(Trained::examples).sum();
        float[] out = new float[SIZE];
        for (int i = 0; i < SIZE; i++) {
            double sum = 0;
            for (Trained w : byWorker) {
                if (w.examples() > 0) {
                    sum += (double) w.examples() * (momentum ? w.momentum()[i] : w.params()[i]);
                }
            }
            out[i] = (float) (sum / n);
        }
        return out;
    }

    /** Runs the averaging on Spark with partition p holding {@code inPartitionOrder.get(p)}. */
    private static AveragedRound average(List<Trained> inPartitionOrder, ShardPlan plan) {
        JavaRDD<Trained> workers = sc.parallelize(inPartitionOrder, inPartitionOrder.size());
        return ShardedAverage.average(sc, workers.mapPartitions(it -> it.next().pieces(plan)), plan);
    }

    @Test
    void theAverageIsTheExampleWeightedMeanWhateverTheShardCountAndTaskOrder() {
        List<Trained> workers = List.of(Trained.random(0, 7, 1), Trained.random(1, 5, 2), Trained.random(2, 9, 3),
                Trained.random(3, 1, 4));
        float[] params = expected(workers, false);
        float[] momentum = expected(workers, true);
        List<Trained> reversed = new ArrayList<>(workers);
        Collections.reverse(reversed);
        List<Trained> shuffled = new ArrayList<>(workers);
        Collections.shuffle(shuffled, new Random(9));
        int auto = ShardPlan.auto(SIZE, 4, 4, 0).shards();
        for (int shards : new int[] {1, 3, auto, 64}) {
            for (List<Trained> order : List.of(workers, reversed, shuffled)) {
                AveragedRound round = average(order, new ShardPlan(SIZE, shards));
                String what = shards + " shards, workers in partitions " + order.stream().map(Trained::worker).toList();
                assertArrayEquals(params, round.state().params().floats(), "parameters, " + what);
                assertArrayEquals(momentum, round.state().momentum().floats(), "momentum, " + what);
                assertEquals(22, round.examples(), "examples of the round, " + what);
                assertEquals(List.of(0, 1, 2, 3), round.workers().stream().map(WorkerStats::worker).toList(),
                        "every worker's statistics, in worker order, " + what);
                assertEquals(11.0, round.meanLoss() * round.examples(), 1e-12, "summed loss, " + what);
            }
        }
    }

    @Test
    void aWorkerWithoutExamplesIsReportedButWeighsNothing() {
        List<Trained> workers = List.of(Trained.random(0, 3, 5), Trained.random(1, 0, 6), Trained.random(2, 2, 7));
        AveragedRound round = average(workers, new ShardPlan(SIZE, 5));
        assertArrayEquals(expected(workers, false), round.state().params().floats(),
                "the empty worker's values do not enter the average");
        assertEquals(3, round.workers().size(), "the empty worker is still reported");
        assertEquals(5, round.examples());
    }

    @Test
    void aRoundWithoutAnyExampleFailsClearly() {
        List<Trained> workers = List.of(Trained.random(0, 0, 5), Trained.random(1, 0, 6));
        Exception e = assertThrows(IllegalStateException.class, () -> average(workers, new ShardPlan(SIZE, 2)));
        assertTrue(e.getMessage().contains("no worker trained"), e.getMessage());
    }

    @Test
    void theDriverReceivesOneStateWhateverTheNumberOfWorkers() {
        long stateBytes = 2L * SIZE * Float.BYTES;
        RoundTraffic traffic = RoundTraffic.install(sc);
        try {
            for (int w : new int[] {2, 8}) {
                List<Trained> workers = new ArrayList<>();
                for (int i = 0; i < w; i++) {
                    workers.add(Trained.random(i, 1 + i, 20 + i));
                }
                ShardPlan plan = ShardPlan.auto(SIZE, Float.BYTES, w, 0);
                RoundTraffic.Measured<AveragedRound> m = traffic.measure(sc, "round with " + w,
                        () -> average(workers, plan));
                long inbound = m.figures().driverInboundBytes();
                assertTrue(inbound >= stateBytes, "the driver received the whole average: " + inbound);
                assertTrue(inbound <= 1.1 * stateBytes, "with " + w + " workers the driver received " + inbound
                        + " bytes, at most 1.1 x the state's " + stateBytes);
                assertEquals(w + plan.shards(), m.figures().tasks(), "one task per worker and per shard");
            }
        } finally {
            traffic.close(sc);
        }
    }

    @Test
    void doublePrecisionStaysDouble() {
        Random r = new Random(3);
        double[][] values = new double[2][1000];
        for (double[] v : values) {
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextGaussian() * 1e-7 + 1;
            }
        }
        ShardPlan plan = new ShardPlan(1000, 3);
        List<StatePiece> all = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            FlatArray v = FlatArray.of(values[w]);
            ShardedAverage.pieces(plan, new WorkerStats(w, 1 + w, 1, 0, 0, 0), v::slice, v::slice)
                    .forEachRemaining(t -> all.add(t._2()));
        }
        for (int s = 0; s < 3; s++) {
            int shard = s;
            AveragedShard avg = AveragedShard.decode(
                    ShardedAverage.reduce(s, all.stream().filter(p -> p.shard() == shard).iterator()));
            for (int i = 0; i < avg.params().length(); i++) {
                int at = plan.from(s) + i;
                assertEquals((1 * values[0][at] + 2 * values[1][at]) / 3, avg.params().doubles()[i], 0,
                        "double values averaged in double, shard " + s);
            }
        }
    }

    @Test
    void piecesCrossTheShuffleSerializerUnchanged() throws Exception {
        StatePiece piece = new StatePiece(3, new WorkerStats(2, 7, 2, 1.5, 0.25, 3.5),
                FlatArray.of(new float[] {1f, -2.5f, Float.MIN_VALUE}), FlatArray.of(new float[] {0f, 1e-30f, -0f}));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var out = new ShardSerializer().newInstance().serializeStream(bytes);
        out.writeKey(3, scala.reflect.ClassTag$.MODULE$.apply(Integer.class));
        out.writeValue(piece, scala.reflect.ClassTag$.MODULE$.apply(StatePiece.class));
        out.close();
        assertEquals(4 + 4 + 44 + 8 + 2 * 3 * 4, bytes.size(), "headers and raw floats, nothing else");
        var in = new ShardSerializer().newInstance().deserializeStream(new ByteArrayInputStream(bytes.toByteArray()));
        scala.collection.Iterator<Tuple2<Object, Object>> records = in.asKeyValueIterator();
        Tuple2<Object, Object> record = records.next();
        assertEquals(3, record._1(), "the shard key");
        StatePiece back = (StatePiece) record._2();
        assertEquals(piece.stats(), back.stats(), "the worker's statistics");
        assertArrayEquals(piece.params().floats(), back.params().floats(), "parameters");
        assertArrayEquals(piece.momentum().floats(), back.momentum().floats(), "momentum");
        assertTrue(!records.hasNext(), "the stream ends after its records");
    }

    @Test
    void theAutomaticPlanBoundsTheReducersMemoryAndUsesEveryWorker() {
        int alexnet = 60_965_224;
        for (int w : new int[] {1, 2, 4, 8, 16, 64}) {
            ShardPlan plan = ShardPlan.auto(alexnet, Float.BYTES, w, 0);
            long piece = 2L * Float.BYTES * (plan.to(0) - plan.from(0));
            assertTrue(w * piece <= ShardPlan.REDUCER_BYTES + 2L * Float.BYTES * w,
                    w + " workers: a reducer holds " + w * piece + " bytes");
            assertTrue(plan.shards() >= w, w + " workers: at least one shard per worker, got " + plan.shards());
        }
        assertEquals(4, ShardPlan.auto(alexnet, Float.BYTES, 2, 0).shards(), "full AlexNet, 2 workers");
        assertEquals(15, ShardPlan.auto(alexnet, Float.BYTES, 8, 0).shards(), "full AlexNet, 8 workers");
        assertEquals(117, ShardPlan.auto(alexnet, Float.BYTES, 64, 0).shards(), "full AlexNet, 64 workers");
        assertEquals(5, ShardPlan.auto(alexnet, Float.BYTES, 2, 5).shards(), "a configured count wins");
        assertEquals(10, ShardPlan.auto(10, Float.BYTES, 2, 50).shards(), "never more shards than values");
        ShardPlan odd = new ShardPlan(10, 3);
        assertEquals(List.of(0, 3, 6, 10), List.of(odd.from(0), odd.from(1), odd.from(2), odd.to(2)), "contiguous ranges");
    }

    @Test
    void stateBytesRoundTrip() throws Exception {
        org.alexnet.train.ParameterState s = new org.alexnet.train.ParameterState(
                FlatArray.of(new double[] {1, 2, Math.PI}), FlatArray.of(new double[] {-1, 0, Math.E}));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.write(new DataOutputStream(bytes));
        org.alexnet.train.ParameterState back = org.alexnet.train.ParameterState.read(
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertArrayEquals(s.params().doubles(), back.params().doubles(), "double parameters");
        assertArrayEquals(s.momentum().doubles(), back.momentum().doubles(), "double momentum");
        assertEquals(48, s.bytes(), "2 vectors of 3 doubles");
    }
}
