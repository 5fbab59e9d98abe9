package org.alexnet.train.data;

import java.util.Random;
import org.alexnet.preprocessing.DatasetStats;

/**
 * The paper's PCA colour augmentation: to every pixel of an image add
 * {@code [p1 p2 p3] [a1 l1, a2 l2, a3 l3]^T}, {@code a_i ~ N(0, std)}, with {@code p_i, l_i} the
 * eigenvectors and eigenvalues of the training set's RGB covariance.
 *
 * <p>Scale: the formula adds an eigenvalue (units of intensity squared) to a pixel (units of
 * intensity), so it only has its intended size in one unit: full intensity = 1, the scale of the
 * published ImageNet figures (l1 = 0.2175, giving offsets of a few percent of full intensity).
 * The stats hold eigenvalues of 0-255 pixels (pixel scale s = 255, eigenvalues s^2 larger), and
 * pixels here stay on 0-255, so the offset is {@code s * P (a * l / s^2) = P (a * l / s)}. Taken
 * literally on 0-255 (P (a * l)) the offsets would have a standard deviation of about 1400.
 */
final class Lighting {
    private final double[] basis;        // row-major, column i = eigenvector i
    private final double[] scaledValues; // l_i / pixelScale
    private final double std;

    Lighting(DatasetStats stats, double std) {
        if (stats.eigenvalues().length != 3 || stats.eigenvectors().length != 9) {
            throw new IllegalArgumentException("stats need 3 eigenvalues and a 3x3 eigenvector matrix");
        }
        if (!(stats.pixelScale() > 0)) {
            throw new IllegalArgumentException("stats pixel scale must be positive, got " + stats.pixelScale());
        }
        this.basis = stats.eigenvectors().clone();
        this.scaledValues = new double[3];
        for (int i = 0; i < 3; i++) {
            scaledValues[i] = stats.eigenvalues()[i] / stats.pixelScale();
        }
        this.std = std;
    }

    /**
     * Draws a1..a3 from {@code rng} and returns the RGB offset on the 0-255 scale; zero without
     * drawing when the std is 0.
     */
    float[] drawOffset(Random rng) {
        float[] offset = new float[3];
        if (std == 0) {
            return offset;
        }
        double[] weighted = new double[3];
        for (int i = 0; i < 3; i++) {
            weighted[i] = std * rng.nextGaussian() * scaledValues[i];
        }
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            for (int i = 0; i < 3; i++) {
                sum += basis[c * 3 + i] * weighted[i];
            }
            offset[c] = (float) sum;
        }
        return offset;
    }
}
