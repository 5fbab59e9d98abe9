package org.alexnet.model.gpu;

import java.util.List;

/**
 * How far one backend's training steps are from the reference's: the largest difference between
 * the two parameter updates (trained minus initial), relative to the largest reference update,
 * and the largest relative difference of a step's loss. Comparing updates, not parameters: a
 * few small steps move parameters little, so parameters alone would match even if a step were
 * wrong.
 */
record UpdateComparison(double maxUpdate, double maxDifference, double maxLossDifference) {

    /** Differences of {@code actual} from {@code expected}, both trained from {@code initial}. */
    static UpdateComparison of(float[] initial, float[] expected, float[] actual, List<Double> expectedLosses,
                               List<Double> actualLosses) {
        if (initial.length != expected.length || expected.length != actual.length) {
            throw new IllegalArgumentException("parameter counts differ: " + initial.length + ", " + expected.length
                    + ", " + actual.length);
        }
        if (expectedLosses.size() != actualLosses.size()) {
            throw new IllegalArgumentException(expectedLosses.size() + " reference losses, " + actualLosses.size()
                    + " losses to check");
        }
        double maxUpdate = 0;
        double maxDifference = 0;
        for (int i = 0; i < initial.length; i++) {
            maxUpdate = Math.max(maxUpdate, Math.abs((double) expected[i] - initial[i]));
            double d = Math.abs((double) actual[i] - expected[i]);
            maxDifference = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(maxDifference, d);
        }
        double loss = 0;
        for (int k = 0; k < expectedLosses.size(); k++) {
            double e = expectedLosses.get(k);
            double d = Math.abs(actualLosses.get(k) - e) / Math.max(Math.abs(e), 1e-12);
            loss = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(loss, d);
        }
        return new UpdateComparison(maxUpdate, maxDifference, loss);
    }

    /** The largest update difference as a fraction of the largest reference update. */
    double relativeDifference() {
        return maxUpdate == 0 ? Double.POSITIVE_INFINITY : maxDifference / maxUpdate;
    }

    /** Whether both differences are within the tolerances (and the reference moved at all). */
    boolean within(double updateTolerance, double lossTolerance) {
        return maxUpdate > 0 && relativeDifference() <= updateTolerance && maxLossDifference <= lossTolerance;
    }
}
