package org.alexnet.train.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One assembled minibatch.
 *
 * @param features    float NCHW {@code [size * views, 3, S, S]}; with {@link ViewMode#TEN_VIEWS}
 *                    rows {@code 10 i .. 10 i + 9} are the views of example {@code i}
 * @param labels      float one-hot {@code [size, classes]}
 * @param size        examples in the batch (the last batch of a stream may be short)
 * @param waitSeconds how long the consumer waited for this batch ({@link MinibatchStream#next()}
 *                    and the {@code hasNext()} before it): the data-wait of the training step
 */
public record Minibatch(INDArray features, INDArray labels, int size, double waitSeconds) {
}
