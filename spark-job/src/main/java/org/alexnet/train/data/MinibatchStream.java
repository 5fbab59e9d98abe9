package org.alexnet.train.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.alexnet.preprocessing.DatasetStats;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Minibatches of a sequence of examples, decoded and augmented by background threads ahead of the
 * consumer (the training step).
 *
 * <p><b>Threads.</b> {@code decodeThreads} threads take examples from the input one at a time, in
 * order (under a lock, so any single-threaded iterator such as a Spark partition's works), decode
 * and augment them into a window of reusable buffers at most {@code 4 * decodeThreads} examples
 * ahead; one assembler thread copies them, in input order, into minibatches and puts those in a
 * queue of {@code prefetchBatches}. {@link #next()} only waits on that queue, and reports how long.
 *
 * <p><b>Determinism.</b> Batch {@code k} holds the consecutive examples after those of batch
 * {@code k-1}, except that in a training stream a last batch of fewer than half a minibatch
 * joins the one before it (one step on B + r examples, r &lt; B/2, instead of a step on r): a
 * worker's chunk of an epoch holds a varying number of images (each image is hashed to its chunk),
 * and a step on a handful of examples at the full learning rate throws a small-class net off its
 * course (measured: docs/presets.md). The random choices of the example at index {@code i} of the input come from
 * {@link AugmentationSettings#exampleSeed}{@code (chunk, i)}. Output is bit-identical for any
 * thread count.
 *
 * <p><b>Failures.</b> An example whose bytes do not decode is logged, counted ({@link #skipped()})
 * and left out (its batch takes the next example). Any other failure (unreadable input, a label
 * outside [0, classes), an image that is not a stored 256-short-side image) stops the stream: the
 * consumer's next {@code hasNext()/next()} throws a {@link PipelineException} naming the example.
 * {@link #close()} stops and joins every thread; the stream closes itself when exhausted or failed.
 *
 * <p><b>Memory.</b> Each minibatch is a fresh off-heap array handed to the consumer; closing its
 * {@code features()} and {@code labels()} after the step frees them without waiting for the GC.
 */
public final class MinibatchStream implements Iterator<Minibatch>, AutoCloseable {
    /** Prefix of the names of this class's threads. */
    public static final String THREAD_PREFIX = "alexnet-input-";
    private static final Logger LOG = LoggerFactory.getLogger(MinibatchStream.class);
    private static final AtomicInteger STREAMS = new AtomicInteger();
    private static final Object END = new Object();
    private static final long JOIN_MILLIS = 30_000;

    private record Failure(Throwable cause) {
    }

    /** A window buffer; written by the decode thread that reserved its index, read by the assembler once filled. */
    private static final class Slot {
        final float[] views;
        boolean filled;
        long index;
        String key;
        int label;
        String corruptReason;

        Slot(int floats) {
            views = new float[floats];
        }
    }

    private final Iterator<Example> input;
    private final ImagePreprocessor preprocessor;
    private final ChunkId chunk;
    private final StreamOptions options;
    private final Slot[] window;
    private final BlockingQueue<Object> ready;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong decodeNanos = new AtomicLong();

    private final Object lock = new Object();
    // guarded by lock
    private long nextToRead;
    private long nextToAssemble;
    private long endIndex = -1;
    private Throwable failure;
    // volatile: read without the lock, which a decode thread holds while it reads the source
    private volatile boolean closed;

    // consumer thread only
    private Object head;
    private boolean finished;
    private long pendingWaitNanos;
    private long totalWaitNanos;
    private long examplesDelivered;

    /**
     * A training stream ({@link ViewMode#TRAIN}) with a preprocessor built for it: the form the
     * training task uses. Equivalent to the general constructor with
     * {@code new ImagePreprocessor(settings, stats)} and {@code new StreamOptions(batchSize, classes,
     * TRAIN, decodeThreads, prefetchBatches)}.
     */
    public MinibatchStream(Iterator<Example> examples, int batchSize, int classes, AugmentationSettings settings,
                           DatasetStats stats, ChunkId chunk, int decodeThreads, int prefetchBatches) {
        this(examples, new ImagePreprocessor(settings, stats), chunk,
                new StreamOptions(batchSize, classes, ViewMode.TRAIN, decodeThreads, prefetchBatches));
    }

    /** Starts the background threads; they read {@code examples} from now on. */
    public MinibatchStream(Iterator<Example> examples, ImagePreprocessor preprocessor, ChunkId chunk, StreamOptions options) {
        this.input = examples;
        this.preprocessor = preprocessor;
        this.chunk = chunk;
        this.options = options;
        int floats = options.mode().viewsPerExample() * preprocessor.geometry().viewLength();
        this.window = new Slot[4 * options.decodeThreads()];
        for (int i = 0; i < window.length; i++) {
            window[i] = new Slot(floats);
        }
        this.ready = new ArrayBlockingQueue<>(options.prefetchBatches());
        String name = THREAD_PREFIX + STREAMS.incrementAndGet() + "-";
        for (int i = 0; i < options.decodeThreads(); i++) {
            threads.add(new Thread(this::decodeLoop, name + "decode-" + i));
        }
        threads.add(new Thread(this::assembleLoop, name + "assemble"));
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
    }

    @Override
    public boolean hasNext() {
        if (finished) {
            return false;
        }
        if (head == null) {
            if (isClosed()) {
                throw new IllegalStateException("minibatch stream is closed");
            }
            long start = System.nanoTime();
            try {
                head = ready.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PipelineException("interrupted while waiting for a minibatch", e);
            } finally {
                pendingWaitNanos += System.nanoTime() - start;
            }
        }
        if (head instanceof Failure f) {
            finished = true;
            close();
            throw new PipelineException(f.cause().getMessage(), f.cause());
        }
        if (head == END) {
            finished = true;
            close();
            return false;
        }
        return true;
    }

    @Override
    public Minibatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Minibatch b = (Minibatch) head;
        head = null;
        double wait = pendingWaitNanos / 1e9;
        totalWaitNanos += pendingWaitNanos;
        pendingWaitNanos = 0;
        examplesDelivered += b.size();
        return new Minibatch(b.features(), b.labels(), b.size(), wait);
    }

    /** Examples skipped because their bytes did not decode. */
    public long skipped() {
        return skipped.get();
    }

    /** Examples delivered in minibatches so far. */
    public long examplesDelivered() {
        return examplesDelivered;
    }

    /** Total time the consumer waited for minibatches (data-wait). */
    public double waitSeconds() {
        return (totalWaitNanos + pendingWaitNanos) / 1e9;
    }

    /** Thread time spent decoding and augmenting, summed over decode threads. */
    public double decodeSeconds() {
        return decodeNanos.get() / 1e9;
    }

    /** Stops and joins the background threads. Idempotent; minibatches not yet taken are dropped. */
    @Override
    public void close() {
        closed = true;
        // interrupt first: a decode thread may hold the lock while blocked reading the source
        for (Thread t : threads) {
            t.interrupt();
        }
        synchronized (lock) {
            lock.notifyAll();
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            try {
                t.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (t.isAlive()) {
                LOG.warn("input thread {} did not stop within {} ms", t.getName(), JOIN_MILLIS);
            }
        }
        ready.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean isClosed() {
        return closed;
    }

    private void decodeLoop() {
        try (PatchDecoder decoder = new PatchDecoder(preprocessor.geometry())) {
            while (true) {
                long index;
                Example example;
                synchronized (lock) {
                    while (!closed && failure == null && endIndex < 0 && nextToRead >= nextToAssemble + window.length) {
                        lock.wait();
                    }
                    if (closed || failure != null || endIndex >= 0) {
                        return;
                    }
                    try {
                        if (!input.hasNext()) {
                            endIndex = nextToRead;
                            lock.notifyAll();
                            return;
                        }
                        example = input.next();
                    } catch (RuntimeException e) {
                        fail(new PipelineException("reading example " + nextToRead + " of " + chunk + " failed: " + e, e));
                        return;
                    }
                    index = nextToRead++;
                }
                Slot slot = window[(int) (index % window.length)];
                String corrupt = decodeInto(decoder, example, index, slot);
                synchronized (lock) {
                    slot.index = index;
                    slot.key = example.key();
                    slot.label = example.label();
                    slot.corruptReason = corrupt;
                    slot.filled = true;
                    lock.notifyAll();
                }
            }
        } catch (InterruptedException e) {
            // close() asked us to stop
        } catch (Throwable t) {
            fail(t);
        }
    }

    /** Decodes and augments one example into its slot; returns why it is corrupt, or null. */
    private String decodeInto(PatchDecoder decoder, Example example, long index, Slot slot) {
        long start = System.nanoTime();
        try {
            if (example.label() >= options.classes()) {
                throw new IllegalArgumentException("label " + example.label() + " outside [0, " + options.classes() + ")");
            }
            byte[] patch = decoder.decode(example.jpeg());
            long seed = preprocessor.settings().exampleSeed(chunk, index);
            preprocessor.writeViews(options.mode(), patch, seed, slot.views, 0);
            return null;
        } catch (CorruptImageException e) {
            return e.getMessage();
        } catch (RuntimeException | Error e) {
            throw new PipelineException("example '" + example.key() + "' (index " + index + " of " + chunk + "): " + e, e);
        } finally {
            decodeNanos.addAndGet(System.nanoTime() - start);
        }
    }

    /** One minibatch of a full batch and the short tail after it (fresh arrays; the two are freed). */
    private static Minibatch joined(Minibatch full, Minibatch tail) {
        Minibatch joined = new Minibatch(Nd4j.concat(0, full.features(), tail.features()),
                Nd4j.concat(0, full.labels(), tail.labels()), full.size() + tail.size(), 0);
        for (Minibatch b : new Minibatch[] {full, tail}) {
            b.features().close();
            b.labels().close();
        }
        return joined;
    }

    private void fail(Throwable t) {
        synchronized (lock) {
            if (failure == null) {
                failure = t;
            }
            lock.notifyAll();
        }
    }

    private void assembleLoop() {
        try {
            int views = options.mode().viewsPerExample();
            int cropSize = preprocessor.geometry().cropSize();
            BatchBuilder batch = null;
            // a training stream holds its last full batch back until it knows whether the tail joins it
            boolean joinsShortTail = options.mode() == ViewMode.TRAIN;
            Minibatch held = null;
            while (true) {
                Slot slot = null;
                Throwable failed;
                boolean end;
                synchronized (lock) {
                    Slot next = window[(int) (nextToAssemble % window.length)];
                    while (!closed && failure == null && !next.filled && endIndex != nextToAssemble) {
                        lock.wait();
                    }
                    if (closed) {
                        return;
                    }
                    failed = failure;
                    end = failed == null && !next.filled && endIndex == nextToAssemble;
                    if (failed == null && !end) {
                        slot = next;
                    }
                }
                if (failed != null) {
                    ready.put(new Failure(failed));
                    return;
                }
                if (end) {
                    Minibatch tail = batch == null ? null : batch.build();
                    if (held != null && tail != null && tail.size() < options.batchSize() / 2) {
                        ready.put(joined(held, tail));
                    } else {
                        if (held != null) {
                            ready.put(held);
                        }
                        if (tail != null) {
                            ready.put(tail);
                        }
                    }
                    ready.put(END);
                    return;
                }
                if (slot.corruptReason != null) {
                    skipped.incrementAndGet();
                    LOG.warn("skipping corrupt example '{}' (index {} of {}): {}", slot.key, slot.index, chunk,
                            slot.corruptReason);
                } else {
                    if (batch == null) {
                        batch = new BatchBuilder(options.batchSize(), options.classes(), views, cropSize);
                    }
                    batch.add(slot.views, slot.label);
                }
                synchronized (lock) {
                    slot.filled = false;
                    nextToAssemble++;
                    lock.notifyAll();
                }
                if (batch != null && batch.full()) {
                    if (held != null) {
                        ready.put(held);
                    }
                    held = batch.build();
                    batch = null;
                    if (!joinsShortTail) {
                        ready.put(held);
                        held = null;
                    }
                }
            }
        } catch (InterruptedException e) {
            // close() asked us to stop
        } catch (Throwable t) {
            fail(t);
            if (!ready.offer(new Failure(t))) {
                try {
                    ready.put(new Failure(t));
                } catch (InterruptedException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
