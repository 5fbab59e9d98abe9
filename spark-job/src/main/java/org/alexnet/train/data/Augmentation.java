package org.alexnet.train.data;

/**
 * The random choices for one use of one training example.
 *
 * @param x         left edge of the crop in the patch
 * @param y         top edge of the crop in the patch
 * @param flip      mirror the crop horizontally
 * @param rgbOffset PCA lighting offset added to every pixel, R, G, B, on the 0-255 scale
 */
public record Augmentation(int x, int y, boolean flip, float[] rgbOffset) {
}
