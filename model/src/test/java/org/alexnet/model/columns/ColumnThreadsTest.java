package org.alexnet.model.columns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The columns' threads join fail-fast: when one column fails while the other waits for it (as
 * at an exchange), the step ends at once with the failure, the waiting column is interrupted,
 * and the threads take no more steps. No test here sleeps; the timeouts only bound a hang.
 */
class ColumnThreadsTest {
    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    @Test
    void bothColumnsResultsInColumnOrder() {
        try (ColumnThreads threads = new ColumnThreads(new int[] {0, 0}, false)) {
            assertEquals(List.of("A on alexnet-column-A", "B on alexnet-column-B"),
                    threads.onBoth(c -> () -> (c == 0 ? "A" : "B") + " on " + Thread.currentThread().getName()),
                    "each column's task runs on its own thread; results in column order");
            assertEquals(7, threads.call(1, () -> 7), "a task on one column");
            assertTrue(threads.isOpen(), "open after successful steps");
        }
    }

    @Test
    void aFailingColumnEndsTheStepAtOnceWithItsCause() throws InterruptedException {
        CountDownLatch bWaits = new CountDownLatch(1);
        CountDownLatch bInterrupted = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        IllegalStateException failure = new IllegalStateException("column A failed");
        try (ColumnThreads threads = new ColumnThreads(new int[] {0, 0}, false)) {
            RuntimeException thrown = assertTimeoutPreemptively(PROMPTLY, () -> assertThrows(RuntimeException.class,
                    () -> threads.onBoth(c -> () -> {
                        if (c == 0) {
                            bWaits.await(); // B is inside its task, waiting for A, when A fails
                            throw failure;
                        }
                        bWaits.countDown();
                        try {
                            never.await(); // as column B would wait for A at an exchange
                        } catch (InterruptedException e) {
                            bInterrupted.countDown();
                            throw e;
                        }
                        return null;
                    })), "the step ends while column B still waits");
            assertSame(failure, thrown, "column A's exception is rethrown as it is");
            assertTrue(bInterrupted.await(PROMPTLY.toSeconds(), TimeUnit.SECONDS), "column B was interrupted");
            assertFalse(threads.isOpen(), "no more steps after a failure");
        }
    }

    @Test
    void aCheckedFailureIsTheCauseOfTheRethrownException() {
        IOException failure = new IOException("column B failed");
        try (ColumnThreads threads = new ColumnThreads(new int[] {0, 0}, false)) {
            IllegalStateException thrown = assertTimeoutPreemptively(PROMPTLY, () -> assertThrows(
                    IllegalStateException.class, () -> threads.call(1, () -> {
                        throw failure;
                    })));
            assertSame(failure, thrown.getCause(), "the column's exception is the cause");
            assertFalse(threads.isOpen(), "no more steps after a failure");
        }
    }
}
