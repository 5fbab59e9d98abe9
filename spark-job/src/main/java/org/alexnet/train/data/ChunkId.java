package org.alexnet.train.data;

/**
 * Names the sequence of examples one worker consumes in one round of one epoch. Together with
 * the base seed and an example's index in the chunk it fixes every random choice of that
 * example's augmentation ({@link AugmentationSettings#exampleSeed}), so a resumed or repeated
 * run draws exactly the same crops, flips and lighting whatever the thread count.
 */
public record ChunkId(int epoch, int round, int worker) {
    public ChunkId {
        if (epoch < 0 || round < 0 || worker < 0) {
            throw new IllegalArgumentException("negative chunk id " + epoch + "/" + round + "/" + worker);
        }
    }
}
