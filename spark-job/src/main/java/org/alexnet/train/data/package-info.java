/**
 * The training job's executor-side input pipeline: stored JPEGs to NCHW float minibatches, in
 * background threads ahead of the training step (paper section 4.1).
 *
 * <ul>
 *   <li>{@link org.alexnet.train.data.ImagePreprocessor}: per example, decode, central 256x256
 *       patch (resized to {@code round(S * 256 / 224)} for crop sizes S other than 224), then a
 *       random S crop + flip + PCA lighting ({@code trainView}), the centre crop
 *       ({@code centreView}) or the 10 test views ({@code tenViews}); always minus the mean image
 *       under the same patch pixels.</li>
 *   <li>{@link org.alexnet.train.data.MinibatchStream}: an {@code Iterator<Minibatch>} over a
 *       sequence of {@link org.alexnet.train.data.Example}s, with N decode threads, a bounded
 *       queue of ready minibatches, the consumer's data-wait per batch, skipped corrupt images, and
 *       bit-identical output for any thread count (seeds from
 *       {@link org.alexnet.train.data.AugmentationSettings#exampleSeed}).</li>
 * </ul>
 *
 * <pre>{@code
 * ImagePreprocessor pre = new ImagePreprocessor(AugmentationSettings.paper(224, seed), stats);
 * StreamOptions opts = StreamOptions.of(128, 1000, ViewMode.TRAIN);      // threads = cores, prefetch 2
 * try (MinibatchStream stream = new MinibatchStream(examples, pre, new ChunkId(epoch, round, worker), opts)) {
 *     while (stream.hasNext()) {
 *         Minibatch b = stream.next();                                   // b.waitSeconds(): data-wait
 *         long t0 = System.nanoTime();
 *         net.fit(b.features(), b.labels());                             // compute
 *         compute += (System.nanoTime() - t0) / 1e9;  wait += b.waitSeconds();  n += b.size();
 *     }
 *     log.info("skipped {} corrupt images", stream.skipped());
 * }
 * }</pre>
 */
package org.alexnet.train.data;
