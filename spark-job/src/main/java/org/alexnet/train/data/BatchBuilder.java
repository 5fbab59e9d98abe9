package org.alexnet.train.data;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Fills one minibatch: the views of each example are copied straight into the off-heap buffer of
 * an uninitialised NCHW array (one copy, no per-pixel objects); labels become one-hot rows.
 */
final class BatchBuilder {
    private final int batchSize;
    private final int classes;
    private final int views;
    private final int exampleFloats;
    private final INDArray features;
    private final FloatBuffer featureBuffer;
    private final float[] labels;
    private int size;

    BatchBuilder(int batchSize, int classes, int views, int cropSize) {
        this.batchSize = batchSize;
        this.classes = classes;
        this.views = views;
        this.exampleFloats = views * 3 * cropSize * cropSize;
        this.features = Nd4j.createUninitialized(DataType.FLOAT, (long) batchSize * views, 3, cropSize, cropSize);
        this.featureBuffer = features.data().asNioFloat();
        this.labels = new float[batchSize * classes];
    }

    /** Appends one example: {@code views * 3 * S * S} floats from {@code src[0]} and its class. */
    void add(float[] src, int label) {
        featureBuffer.put(size * exampleFloats, src, 0, exampleFloats);
        labels[size * classes + label] = 1f;
        size++;
    }

    int size() {
        return size;
    }

    boolean full() {
        return size == batchSize;
    }

    Minibatch build() {
        INDArray x = features;
        if (size < batchSize) {
            x = features.get(NDArrayIndex.interval(0, (long) size * views), NDArrayIndex.all(),
                    NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
        }
        float[] y = size < batchSize ? java.util.Arrays.copyOf(labels, size * classes) : labels;
        return new Minibatch(x, Nd4j.create(y, new long[]{size, classes}, 'c'), size, 0);
    }
}
