package org.alexnet.train.data;

/**
 * How a {@link MinibatchStream} batches and how many threads it uses.
 *
 * @param batchSize       examples per minibatch
 * @param classes         width of the one-hot labels
 * @param mode            training views, centre crops or the 10 test views
 * @param decodeThreads   background threads decoding and augmenting examples
 * @param prefetchBatches assembled minibatches kept ready ahead of the consumer
 */
public record StreamOptions(int batchSize, int classes, ViewMode mode, int decodeThreads, int prefetchBatches) {
    public static final int DEFAULT_PREFETCH = 2;

    public StreamOptions {
        if (batchSize < 1 || classes < 1 || decodeThreads < 1 || prefetchBatches < 1) {
            throw new IllegalArgumentException("batch size, classes, decode threads and prefetch must be positive: "
                    + batchSize + ", " + classes + ", " + decodeThreads + ", " + prefetchBatches);
        }
        if (mode == null) {
            throw new IllegalArgumentException("view mode is required");
        }
    }

    /** One decode thread per available core, 2 minibatches prefetched. */
    public static StreamOptions of(int batchSize, int classes, ViewMode mode) {
        return new StreamOptions(batchSize, classes, mode, Runtime.getRuntime().availableProcessors(), DEFAULT_PREFETCH);
    }

    public StreamOptions withDecodeThreads(int threads) {
        return new StreamOptions(batchSize, classes, mode, threads, prefetchBatches);
    }

    public StreamOptions withPrefetch(int batches) {
        return new StreamOptions(batchSize, classes, mode, decodeThreads, batches);
    }
}
