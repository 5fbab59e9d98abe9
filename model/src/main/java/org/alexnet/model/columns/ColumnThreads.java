package org.alexnet.model.columns;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.IntFunction;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One thread per column, bound to that column's device before it runs any ND4J operation (and
 * on the CPU given half the cores, {@link CpuTuning#shareCores}). Tasks run on one column, or
 * on both at once and are then joined fail-fast: the first column to fail ends the wait at
 * once, the other column is interrupted (it may be waiting for the failed one at an exchange)
 * and the failure is rethrown. After a failure the threads take no more steps ({@link #isOpen}).
 */
final class ColumnThreads implements AutoCloseable {
    private final ExecutorService[] threads = new ExecutorService[2];
    private volatile boolean open = true;

    /**
     * @param devices      ND4J device of column A and of column B
     * @param shareCpuCores give each column thread half the CPU's cores (the CPU backend)
     */
    ColumnThreads(int[] devices, boolean shareCpuCores) {
        for (int c = 0; c < 2; c++) {
            int column = c;
            int device = devices[c];
            String name = "alexnet-column-" + (c == 0 ? "A" : "B");
            threads[c] = Executors.newSingleThreadExecutor(task -> {
                Thread t = new Thread(() -> {
                    Nd4j.getAffinityManager().unsafeSetDevice(device);
                    if (shareCpuCores) {
                        CpuTuning.shareCores(column);
                    }
                    task.run();
                }, name);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** Runs a task on one column's thread and waits for it; its failure is rethrown. */
    <T> T call(int column, Callable<T> task) {
        BlockingQueue<Future<T>> finished = new LinkedBlockingQueue<>();
        return join(List.of(start(column, task, finished)), finished).get(0);
    }

    /**
     * Runs {@code task.apply(c)} on each column c's thread at once and waits for both, fail-fast.
     *
     * @return column A's result, then column B's
     */
    <T> List<T> onBoth(IntFunction<Callable<T>> task) {
        BlockingQueue<Future<T>> finished = new LinkedBlockingQueue<>();
        List<Future<T>> running = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            running.add(start(c, task.apply(c), finished));
        }
        return join(running, finished);
    }

    /** False once closed, or after a column failed. */
    boolean isOpen() {
        return open;
    }

    /** Stops the threads (a task still running is interrupted). */
    @Override
    public void close() {
        open = false;
        for (ExecutorService t : threads) {
            t.shutdownNow();
        }
    }

    /** Starts a task on a column's thread; when it ends, however, it is put on {@code finished}. */
    private <T> Future<T> start(int column, Callable<T> task, BlockingQueue<Future<T>> finished) {
        FutureTask<T> future = new FutureTask<>(task) {
            @Override
            protected void done() {
                finished.add(this);
            }
        };
        threads[column].execute(future);
        return future;
    }

    /**
     * Takes the tasks as they finish: the first that failed stops the others and is rethrown
     * (a RuntimeException or Error as it is, anything else as the cause of an
     * IllegalStateException), without waiting for the others.
     */
    private <T> List<T> join(List<Future<T>> running, BlockingQueue<Future<T>> finished) {
        try {
            for (int i = 0; i < running.size(); i++) {
                finished.take().get();
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : running) {
                results.add(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            stop(running);
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("a column's step failed", cause);
        } catch (InterruptedException e) {
            stop(running);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the columns were computing", e);
        }
    }

    private void stop(List<? extends Future<?>> running) {
        open = false;
        running.forEach(f -> f.cancel(true));
    }
}
