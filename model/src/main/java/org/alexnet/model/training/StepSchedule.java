package org.alexnet.model.training;

import java.util.List;
import java.util.Map;

/**
 * A fixed schedule: the initial rate divided by {@code factor} once at each listed epoch
 * (e.g. 30, 60, 80 over 90 epochs, the common replacement for watching the validation error).
 */
public final class StepSchedule implements LearningRateSchedule {
    private final double initialRate;
    private final double factor;
    private final List<Integer> boundaries;
    private int epochsDone;

    /** @param boundaries epochs (1-based counts of finished epochs) after which the rate drops */
    public StepSchedule(double initialRate, double factor, List<Integer> boundaries) {
        if (!(initialRate > 0) || !(factor > 1)) {
            throw new IllegalArgumentException("invalid step schedule: rate " + initialRate + ", factor " + factor);
        }
        this.initialRate = initialRate;
        this.factor = factor;
        this.boundaries = List.copyOf(boundaries);
    }

    @Override
    public double learningRate() {
        long passed = boundaries.stream().filter(b -> b <= epochsDone).count();
        return initialRate / Math.pow(factor, passed);
    }

    @Override
    public boolean epochEnded(int epoch, double validationError) {
        double before = learningRate();
        epochsDone = epoch;
        return learningRate() != before;
    }

    @Override
    public Map<String, String> state() {
        return Map.of("epochsDone", Integer.toString(epochsDone));
    }

    @Override
    public void restore(Map<String, String> state) {
        epochsDone = Integer.parseInt(state.get("epochsDone"));
    }

    @Override
    public String describe() {
        return "step: lr " + learningRate() + " after " + epochsDone + " epochs, drops after epochs " + boundaries;
    }
}
