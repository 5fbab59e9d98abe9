package org.alexnet.train.averaging;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.alexnet.train.ParameterState;
import org.apache.spark.Partitioner;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.ShuffledRDD;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * The averaging half of a round, on Spark's shuffle: every worker's trained state arrives as one
 * piece per shard ({@link #pieces}); the shuffle sends each shard's pieces to one reducer task on
 * an executor, which sums them weighted by the workers' examples and divides, and stores the
 * result in its block manager ({@link StoredShards}); the driver reads the averaged shards, i.e.
 * ONE model state, whatever the number of workers, and writes each into place as it arrives.
 *
 * <p>Bytes and memory per round, for W workers, a state of B bytes (parameters and momentum)
 * and S shards ({@link ShardPlan}): each worker's executor writes B to its shuffle files; each
 * reducer fetches W pieces of B/S and holds them while it sums (W B / S, at most 256 MiB with the
 * automatic plan); the driver reads B in S blocks and holds the new state (B) besides the
 * current one and its broadcast's serialised pieces. The cluster moves W B through the shuffle, spread over the
 * executors, as a reduce-scatter does.
 *
 * <p>Deterministic: each value of the average is {@code (sum over workers, in worker order, of
 * examples_w * value_w) / sum of examples}, summed in double from zero, whatever the shard count,
 * the order in which tasks finish or pieces arrive, and task retries.
 */
public final class ShardedAverage {
    /** Parallel reads of stored shards on the driver: enough to overlap fetching and copying. */
    private static final int READERS = 4;
    /** Times a shard is averaged again when its stored result is lost before the driver reads it. */
    private static final int ATTEMPTS = 3;

    private ShardedAverage() {
    }

    /**
     * One worker's pieces, read lazily from its trained parameter and momentum vectors while
     * Spark writes them to the shuffle (one piece in memory at a time). A worker that trained
     * nothing only reports its statistics.
     */
    public static Iterator<Tuple2<Integer, StatePiece>> pieces(ShardPlan plan, WorkerStats stats, VectorReader params,
                                                              VectorReader momentum) {
        if (stats.examples() == 0) {
            FlatArray none = FlatArray.zeros(Float.BYTES, 0);
            return List.of(new Tuple2<>(0, new StatePiece(0, stats, none, none))).iterator();
        }
        return IntStream.range(0, plan.shards()).mapToObj(s -> new Tuple2<>(s, new StatePiece(s, stats,
                params.read(plan.from(s), plan.to(s)), momentum.read(plan.from(s), plan.to(s))))).iterator();
    }

    /** Reads a range of a worker's trained vector. */
    @FunctionalInterface
    public interface VectorReader {
        FlatArray read(int from, int to);
    }

    /**
     * Shuffles the workers' pieces by shard, averages each shard on the executors and assembles
     * the averaged state on the driver. Runs one Spark job (the workers' stage, then the shard
     * stage); a shard whose stored result is lost before the driver reads it (its executor died)
     * is averaged again from the shuffle, whose lost map outputs Spark recomputes. The shuffle's
     * files are removed when the round has its average.
     */
    public static AveragedRound average(JavaSparkContext sc, JavaRDD<Tuple2<Integer, StatePiece>> pieces,
                                        ShardPlan plan) {
        ShuffledRDD<Integer, StatePiece, StatePiece> shuffled = new ShuffledRDD<>(pieces.rdd(),
                new ShardPartitioner(plan.shards()), tag(Integer.class), tag(StatePiece.class), tag(StatePiece.class));
        shuffled.setSerializer(new ShardSerializer());
        Assembler assembler = new Assembler(plan);
        ExecutorService readers = Executors.newFixedThreadPool(READERS, r -> {
            Thread t = new Thread(r, "averaged-shard-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Integer> missing = IntStream.range(0, plan.shards()).boxed().toList();
            for (int attempt = 1; !missing.isEmpty(); attempt++) {
                if (attempt > ATTEMPTS) {
                    throw new IllegalStateException("averaged shards " + missing + " were lost " + ATTEMPTS
                            + " times before the driver could read them");
                }
                List<Future<Integer>> reads = Collections.synchronizedList(new ArrayList<>());
                sc.sc().runJob(shuffled, new Reducer(), JavaConverters.asScalaBuffer(new ArrayList<Object>(missing))
                        .toSeq(), new Handler(assembler, readers, reads), tag(long[].class));
                List<Integer> lost = new ArrayList<>();
                for (Future<Integer> read : List.copyOf(reads)) {
                    Integer shard = join(read);
                    if (shard != null) {
                        lost.add(shard);
                    }
                }
                missing = lost;
            }
        } finally {
            readers.shutdownNow();
            ShuffleFiles.remove(sc, (ShuffleDependency<?, ?, ?>) shuffled.dependencies().head());
        }
        String round = sc.getLocalProperty(RoundTraffic.ROUND);
        sc.sc().listenerBus().post(new RoundTraffic.BlocksRead(round, assembler.bytesRead()));
        return assembler.result();
    }

    private static Integer join(Future<Integer> read) {
        try {
            return read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading averaged shards", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading an averaged shard failed: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /** The average of one shard's pieces, in the fixed order of the workers, encoded for the driver. */
    static byte[] reduce(int shard, Iterator<StatePiece> arriving) {
        long t0 = System.nanoTime();
        List<StatePiece> pieces = new ArrayList<>();
        arriving.forEachRemaining(pieces::add);
        double fetch = (System.nanoTime() - t0) / 1e9;
        pieces.sort(Comparator.comparingInt(p -> p.stats().worker()));
        List<WorkerStats> workers = new ArrayList<>();
        StatePiece first = null;
        long examples = 0;
        for (int i = 0; i < pieces.size(); i++) {
            StatePiece p = pieces.get(i);
            if (p.shard() != shard) {
                throw new IllegalStateException("shard " + shard + "'s reducer got a piece of shard " + p.shard());
            }
            if (i > 0 && pieces.get(i - 1).stats().worker() == p.stats().worker()) {
                throw new IllegalStateException("worker " + p.stats().worker() + " sent shard " + shard + " twice");
            }
            workers.add(p.stats());
            if (p.stats().examples() > 0) {
                if (first != null && (p.params().length() != first.params().length()
                        || p.params().valueBytes() != first.params().valueBytes())) {
                    throw new IllegalStateException("workers sent pieces of different sizes for shard " + shard);
                }
                first = first == null ? p : first;
                examples += p.stats().examples();
            }
        }
        List<WorkerStats> reported = shard == 0 ? workers : List.of();
        if (first == null) { // nobody trained: the driver reports it
            return AveragedShard.encode(shard, 0, reported, fetch, Float.BYTES, 0, (p, m) -> { });
        }
        List<StatePiece> trained = pieces.stream().filter(piece -> piece.stats().examples() > 0).toList();
        double total = examples;
        return AveragedShard.encode(shard, examples, reported, fetch, first.params().valueBytes(),
                first.params().length(), (p, m) -> {
                    average(trained, StatePiece::params, total, p);
                    average(trained, StatePiece::momentum, total, m);
                });
    }

    /** Values summed per block: the sums of a block stay in the cache, and no shard-sized array of doubles is made. */
    private static final int BLOCK = 1 << 14;

    /**
     * Writes into {@code out} the example-weighted average of the pieces' values, block by block:
     * each value is (sum over the pieces, in their order, of examples x value, from zero, in double)
     * divided by {@code total} and rounded to {@code out}'s precision.
     */
    private static void average(List<StatePiece> pieces, java.util.function.Function<StatePiece, FlatArray> values,
                                double total, FlatArray out) {
        int length = out.length();
        double[] sums = new double[Math.min(BLOCK, length)];
        for (int from = 0; from < length; from += sums.length) {
            int n = Math.min(sums.length, length - from);
            java.util.Arrays.fill(sums, 0, n, 0);
            for (StatePiece piece : pieces) {
                values.apply(piece).addWeighted(piece.stats().examples(), sums, from, n);
            }
            out.setQuotients(sums, n, total, from);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> ClassTag<T> tag(Class<T> c) {
        return (ClassTag<T>) ClassTag$.MODULE$.apply(c);
    }

    /** Shard s goes to partition s. */
    private static final class ShardPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int shards;

        ShardPartitioner(int shards) {
            this.shards = shards;
        }

        @Override
        public int numPartitions() {
            return shards;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }
    }

    /** The reducer task: averages its shard and stores the result for the driver ({@link StoredShards}). */
    private static final class Reducer
            extends AbstractFunction2<TaskContext, scala.collection.Iterator<Tuple2<Integer, StatePiece>>, long[]>
            implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public long[] apply(TaskContext context, scala.collection.Iterator<Tuple2<Integer, StatePiece>> records) {
            Iterator<Tuple2<Integer, StatePiece>> it = JavaConverters.asJavaIterator(records);
            Iterator<StatePiece> pieces = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public StatePiece next() {
                    return it.next()._2();
                }
            };
            return StoredShards.store(context.partitionId(), reduce(context.partitionId(), pieces));
        }
    }

    /**
     * Called by Spark's scheduler as each reducer finishes: hands the reading of its stored shard
     * to the reader threads (a fetch must not hold up the scheduler); a read yields the shard
     * number when the block was lost.
     */
    private static final class Handler extends AbstractFunction2<Object, long[], BoxedUnit> {
        private final Assembler assembler;
        private final ExecutorService readers;
        private final List<Future<Integer>> reads;

        Handler(Assembler assembler, ExecutorService readers, List<Future<Integer>> reads) {
            this.assembler = assembler;
            this.readers = readers;
            this.reads = reads;
        }

        @Override
        public BoxedUnit apply(Object partition, long[] where) {
            int shard = (Integer) partition;
            if (where[0] != shard) {
                throw new IllegalStateException("partition " + shard + " returned shard " + where[0]);
            }
            reads.add(readers.submit(() -> StoredShards.take(where, assembler::place) ? null : shard));
            return BoxedUnit.UNIT;
        }
    }

    /** Writes each averaged shard into the new state as the driver reads it. */
    private static final class Assembler {
        private final ShardPlan plan;
        private FlatArray params;
        private FlatArray momentum;
        private long examples = -1;
        private List<WorkerStats> workers = List.of();
        private int received;
        private long bytesRead;
        private double slowestFetch;
        private double slowestAverage;
        private double receiving;

        Assembler(ShardPlan plan) {
            this.plan = plan;
        }

        /** Places one encoded shard (its bytes are copied; the buffer may go afterwards). */
        void place(ByteBuffer encoded) {
            long t0 = System.nanoTime();
            AveragedShard shard = AveragedShard.decode(encoded);
            int s = shard.shard();
            FlatArray p;
            FlatArray m;
            synchronized (this) {
                slowestFetch = Math.max(slowestFetch, shard.fetchSeconds());
                slowestAverage = Math.max(slowestAverage, shard.averageSeconds());
                if (s == 0) {
                    workers = shard.workers();
                }
                if (examples >= 0 && shard.examples() != examples) {
                    throw new IllegalStateException("shards averaged over different examples: " + examples + " and "
                            + shard.examples() + " (shard " + s + ")");
                }
                examples = shard.examples();
                if (examples > 0 && params == null) {
                    params = shard.params().zerosLike(plan.size());
                    momentum = shard.params().zerosLike(plan.size());
                }
                p = params;
                m = momentum;
            }
            if (shard.examples() > 0) {
                if (shard.params().length() != plan.to(s) - plan.from(s)) {
                    throw new IllegalStateException("shard " + s + " has " + shard.params().length() + " values, the plan "
                            + (plan.to(s) - plan.from(s)));
                }
                // shards are disjoint ranges: the copies run in parallel
                shard.params().copyInto(p, plan.from(s));
                shard.momentum().copyInto(m, plan.from(s));
            }
            synchronized (this) {
                received++;
                bytesRead += encoded.remaining();
                receiving += (System.nanoTime() - t0) / 1e9;
            }
        }

        synchronized long bytesRead() {
            return bytesRead;
        }

        synchronized AveragedRound result() {
            if (received != plan.shards()) {
                throw new IllegalStateException("received " + received + " of " + plan.shards() + " averaged shards");
            }
            if (examples <= 0) {
                throw new IllegalStateException("no worker trained on any example this round");
            }
            return new AveragedRound(new ParameterState(params, momentum), workers,
                    new AveragedRound.ShardTimes(slowestFetch, slowestAverage, receiving));
        }
    }
}
