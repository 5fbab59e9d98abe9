package org.alexnet.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.alexnet.preprocessing.DatasetStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The background stream on real JPEGs and real ND4J arrays. */
class MinibatchStreamTest {
    private static final int S = 224;
    private static final int VIEW = 3 * S * S;
    private static final int CLASSES = 7;
    private static final ChunkId CHUNK = new ChunkId(2, 3, 1);
    private static List<Example> examples;
    private static DatasetStats stats;
    private static ImagePreprocessor preprocessor;

    @BeforeAll
    static void images() {
        examples = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            examples.add(new Example("img-" + i, TestImages.smoothJpeg(i), i % CLASSES));
        }
        stats = TestImages.stats(TestImages.coordinateMean());
        preprocessor = new ImagePreprocessor(AugmentationSettings.paper(S, 1234), stats);
    }

    @AfterEach
    void noInputThreadOutlivesItsStream() throws InterruptedException {
        for (int tries = 0; tries < 50 && !inputThreads().isEmpty(); tries++) {
            Thread.sleep(20); // threads that have just returned may still be finishing
        }
        assertEquals(List.of(), inputThreads());
    }

    private static List<String> inputThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(MinibatchStream.THREAD_PREFIX)).toList();
    }

    private static StreamOptions options(int batch, ViewMode mode, int threads) {
        return new StreamOptions(batch, CLASSES, mode, threads, 2);
    }

    private static List<Minibatch> drain(MinibatchStream stream) {
        List<Minibatch> out = new ArrayList<>();
        while (stream.hasNext()) {
            out.add(stream.next());
        }
        return out;
    }

    private static List<Minibatch> run(List<Example> input, ChunkId chunk, StreamOptions options) {
        try (MinibatchStream stream = new MinibatchStream(input.iterator(), preprocessor, chunk, options)) {
            return drain(stream);
        }
    }

    private static float[] row(Minibatch b, int from, int count) {
        float[] all = b.features().data().asFloat();
        return Arrays.copyOfRange(all, from * VIEW, (from + count) * VIEW);
    }

    @Test
    void batchesAreConsecutiveExamplesWithOneHotLabelsAndAShortLastBatch() {
        List<Minibatch> batches = run(examples, CHUNK, options(5, ViewMode.TRAIN, 2));
        assertEquals(3, batches.size());
        int[] sizes = batches.stream().mapToInt(Minibatch::size).toArray();
        assertArrayEquals(new int[]{5, 5, 3}, sizes);
        int k = 0;
        for (Minibatch b : batches) {
            assertEquals(DataType.FLOAT, b.features().dataType());
            assertArrayEquals(new long[]{b.size(), 3, S, S}, b.features().shape());
            assertArrayEquals(new long[]{b.size(), CLASSES}, b.labels().shape());
            for (int i = 0; i < b.size(); i++, k++) {
                INDArray label = b.labels().getRow(i);
                assertEquals(1.0, label.sumNumber().doubleValue());
                assertEquals(1.0, label.getDouble(k % CLASSES));
                // exactly the per-example transform with this example's seed
                float[] expected = preprocessor.trainView(examples.get(k).jpeg(),
                        preprocessor.settings().exampleSeed(CHUNK, k));
                assertArrayEquals(expected, row(b, i, 1), "example " + k);
            }
        }
    }

    @Test
    void aTrainingTailOfLessThanHalfABatchJoinsTheBatchBeforeIt() {
        List<Minibatch> batches = run(examples, CHUNK, options(6, ViewMode.TRAIN, 2));
        assertArrayEquals(new int[]{6, 7}, batches.stream().mapToInt(Minibatch::size).toArray(),
                "13 examples in batches of 6: the 1-example tail joins the second batch (no step on one example)");
        Minibatch joined = batches.get(1);
        assertArrayEquals(new long[]{7, 3, S, S}, joined.features().shape(), "the joined batch's features");
        for (int i = 0; i < 7; i++) {
            int k = 6 + i;
            assertEquals(1.0, joined.labels().getDouble(i, k % CLASSES), "label of example " + k);
            assertArrayEquals(preprocessor.trainView(examples.get(k).jpeg(), preprocessor.settings().exampleSeed(CHUNK, k)),
                    row(joined, i, 1), "example " + k + " in order in the joined batch");
        }
        assertArrayEquals(new int[]{6, 6, 1}, run(examples, CHUNK, options(6, ViewMode.CENTRE, 2)).stream()
                .mapToInt(Minibatch::size).toArray(), "evaluation streams keep their short last batch");
        assertArrayEquals(new int[]{4, 4, 5}, run(examples, CHUNK, options(4, ViewMode.TRAIN, 1)).stream()
                .mapToInt(Minibatch::size).toArray(), "a tail of 1 of 4 joins too");
        assertArrayEquals(new int[]{2}, run(examples.subList(0, 2), CHUNK, options(6, ViewMode.TRAIN, 1)).stream()
                .mapToInt(Minibatch::size).toArray(), "a chunk smaller than half a batch is one short batch");
    }

    @Test
    void bitIdenticalWithOneOrFourDecodeThreads() {
        List<Minibatch> one = run(examples, CHUNK, new StreamOptions(4, CLASSES, ViewMode.TRAIN, 1, 1));
        List<Minibatch> four = run(examples, CHUNK, new StreamOptions(4, CLASSES, ViewMode.TRAIN, 4, 3));
        assertEquals(one.size(), four.size());
        for (int i = 0; i < one.size(); i++) {
            assertArrayEquals(one.get(i).features().data().asFloat(), four.get(i).features().data().asFloat());
            assertArrayEquals(one.get(i).labels().data().asFloat(), four.get(i).labels().data().asFloat());
        }
    }

    @Test
    void anotherRoundDrawsOtherAugmentations() {
        List<Example> few = examples.subList(0, 4);
        float[] a = run(few, new ChunkId(2, 3, 1), options(4, ViewMode.TRAIN, 2)).get(0).features().data().asFloat();
        float[] b = run(few, new ChunkId(2, 4, 1), options(4, ViewMode.TRAIN, 2)).get(0).features().data().asFloat();
        assertFalse(Arrays.equals(a, b));
        for (int i = 0; i < 4; i++) {
            assertFalse(Arrays.equals(Arrays.copyOfRange(a, i * VIEW, (i + 1) * VIEW),
                    Arrays.copyOfRange(b, i * VIEW, (i + 1) * VIEW)), "example " + i);
        }
    }

    @Test
    void tenViewsGiveTenRowsPerExampleAndCentreOneRow() {
        List<Example> three = examples.subList(0, 3);
        List<Minibatch> ten = run(three, CHUNK, options(2, ViewMode.TEN_VIEWS, 2));
        assertArrayEquals(new long[]{20, 3, S, S}, ten.get(0).features().shape());
        assertArrayEquals(new long[]{10, 3, S, S}, ten.get(1).features().shape());
        assertArrayEquals(new long[]{1, CLASSES}, ten.get(1).labels().shape());
        assertArrayEquals(preprocessor.tenViews(three.get(1).jpeg()), row(ten.get(0), 10, 10));
        assertArrayEquals(preprocessor.tenViews(three.get(2).jpeg()), row(ten.get(1), 0, 10));

        List<Minibatch> centre = run(three, CHUNK, options(3, ViewMode.CENTRE, 2));
        assertArrayEquals(preprocessor.centreView(three.get(2).jpeg()), row(centre.get(0), 2, 1));
    }

    @Test
    void aCorruptExampleIsSkippedCountedAndReplacedByTheNext() {
        List<Example> input = new ArrayList<>(examples.subList(0, 7));
        input.set(2, new Example("broken", "definitely not a jpeg".getBytes(), 2));
        try (MinibatchStream stream = new MinibatchStream(input.iterator(), preprocessor, CHUNK, options(3, ViewMode.TRAIN, 3))) {
            List<Minibatch> batches = drain(stream);
            assertEquals(1, stream.skipped());
            assertEquals(6, stream.examplesDelivered());
            assertArrayEquals(new int[]{3, 3}, batches.stream().mapToInt(Minibatch::size).toArray());
            int[] expectedOrder = {0, 1, 3, 4, 5, 6};
            for (int k = 0; k < 6; k++) {
                Minibatch b = batches.get(k / 3);
                int example = expectedOrder[k];
                assertEquals(1.0, b.labels().getDouble(k % 3, example % CLASSES));
                // the seed stays that of the example's index in the input, skips do not shift it
                float[] expected = preprocessor.trainView(input.get(example).jpeg(),
                        preprocessor.settings().exampleSeed(CHUNK, example));
                assertArrayEquals(expected, row(b, k % 3, 1), "example " + example);
            }
        }
    }

    @Test
    void aFailureNamesTheExampleAndStopsTheThreads() {
        List<Example> input = new ArrayList<>(examples.subList(0, 6));
        byte[] small = TestImages.jpeg(TestImages.rgb(100, 120, (x, y) -> x, (x, y) -> y, (x, y) -> 0), 100, 120, 90);
        input.set(4, new Example("not-preprocessed.jpg", small, 1));
        MinibatchStream stream = new MinibatchStream(input.iterator(), preprocessor, CHUNK, options(2, ViewMode.TRAIN, 2));
        PipelineException e = assertThrows(PipelineException.class, () -> drain(stream));
        assertTrue(e.getMessage().contains("not-preprocessed.jpg"), e.getMessage());
        assertFalse(stream.hasNext());
        stream.close();

        List<Example> badLabel = List.of(new Example("label-too-big", examples.get(0).jpeg(), CLASSES));
        MinibatchStream second = new MinibatchStream(badLabel.iterator(), preprocessor, CHUNK, options(2, ViewMode.TRAIN, 1));
        e = assertThrows(PipelineException.class, second::next);
        assertTrue(e.getMessage().contains("label-too-big"), e.getMessage());

        Iterator<Example> failingSource = new Iterator<>() {
            int n;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Example next() {
                if (n == 3) {
                    throw new IllegalStateException("parquet page unreadable");
                }
                return examples.get(n++);
            }
        };
        MinibatchStream third = new MinibatchStream(failingSource, preprocessor, CHUNK, options(2, ViewMode.TRAIN, 2));
        e = assertThrows(PipelineException.class, () -> drain(third));
        assertTrue(e.getMessage().contains("parquet page unreadable") && e.getMessage().contains("example 3"), e.getMessage());
    }

    /** A source that takes {@code millis} per example, like a slow disk. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a threading bug fails, not hangs
    void waitTimeIsMeasuredPerBatch() throws InterruptedException {
        // A gated source: nothing can be decoded until the test opens the gate. The consumer asks
        // for a batch on its own thread; once it is blocked in the stream the test keeps the gate
        // shut for 200 ms, so that batch's wait is at least 200 ms whatever the machine's load.
        Semaphore gate = new Semaphore(0);
        Iterator<Example> source = examples.subList(0, 4).iterator();
        Iterator<Example> gated = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public Example next() {
                try {
                    gate.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("source closed", e);
                }
                return source.next();
            }
        };
        try (MinibatchStream stream = new MinibatchStream(gated, preprocessor, CHUNK, options(2, ViewMode.CENTRE, 2))) {
            AtomicReference<Minibatch> first = new AtomicReference<>();
            Thread consumer = new Thread(() -> first.set(stream.next()), "test-consumer");
            consumer.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (consumer.getState() != Thread.State.WAITING && consumer.getState() != Thread.State.TIMED_WAITING) {
                assertTrue(System.nanoTime() < deadline, "the consumer blocks waiting for a batch");
                Thread.sleep(5);
            }
            Thread.sleep(200);
            gate.release(4);
            consumer.join(10_000);
            assertTrue(first.get().waitSeconds() >= 0.2, "the first batch's wait: " + first.get().waitSeconds());
            Minibatch second = stream.next();
            assertTrue(!stream.hasNext(), "two batches of two from four examples");
            // the stream's total is the batches' waits plus the last hasNext()'s wait for the end
            double charged = first.get().waitSeconds() + second.waitSeconds();
            assertTrue(stream.waitSeconds() >= charged && stream.waitSeconds() - charged < 0.25,
                    stream.waitSeconds() + " vs " + charged);
        }
        // slow consumer: batches are prefetched while it computes, so it hardly waits
        try (MinibatchStream stream = new MinibatchStream(examples.subList(0, 4).iterator(), preprocessor, CHUNK,
                options(2, ViewMode.CENTRE, 2))) {
            Thread.sleep(1500);
            Minibatch first = stream.next();
            Minibatch second = stream.next();
            assertTrue(first.waitSeconds() < 0.5 && second.waitSeconds() < 0.5,
                    first.waitSeconds() + ", " + second.waitSeconds());
            assertTrue(stream.decodeSeconds() > 0);
        }
    }

    @Test
    void closingMidStreamStopsEveryThread() {
        List<Example> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(examples.get(i % examples.size()));
        }
        MinibatchStream stream = new MinibatchStream(many.iterator(), preprocessor, CHUNK, options(4, ViewMode.TRAIN, 3));
        assertEquals(4, stream.next().size());
        stream.close(); // threads are blocked on a full window and a full queue at this point
        stream.close(); // idempotent
        assertThrows(IllegalStateException.class, stream::hasNext);
        // the convenience constructor the training task uses: same output as the general one
        try (MinibatchStream a = new MinibatchStream(examples.iterator(), 4, CLASSES, preprocessor.settings(), stats,
                CHUNK, 2, 2)) {
            assertArrayEquals(run(examples, CHUNK, options(4, ViewMode.TRAIN, 2)).get(0).features().data().asFloat(),
                    a.next().features().data().asFloat());
        }
    }

    @Test
    void smallPresetCropsFlowThroughTheStream() {
        ImagePreprocessor small = new ImagePreprocessor(AugmentationSettings.paper(64, 5), stats);
        try (MinibatchStream stream = new MinibatchStream(examples.subList(0, 3).iterator(), small, CHUNK,
                options(3, ViewMode.TRAIN, 2))) {
            Minibatch b = stream.next();
            assertArrayEquals(new long[]{3, 3, 64, 64}, b.features().shape());
            assertArrayEquals(small.trainView(examples.get(1).jpeg(), small.settings().exampleSeed(CHUNK, 1)),
                    Arrays.copyOfRange(b.features().data().asFloat(), 3 * 64 * 64, 2 * 3 * 64 * 64));
            assertFalse(stream.hasNext());
        }
    }
}
