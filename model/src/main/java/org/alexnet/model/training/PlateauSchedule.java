package org.alexnet.model.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The paper's schedule (section 5): start at the initial rate and divide by {@code factor} when
 * the validation error stops improving, at most {@code maxReductions} times (the paper: by 10,
 * three times). "Stops improving" is made precise as: no new best error, by more than
 * {@code minImprovement}, for {@code patience} consecutive epochs. After a reduction the count
 * starts again.
 */
public final class PlateauSchedule implements LearningRateSchedule {
    private final double factor;
    private final int maxReductions;
    private final int patience;
    private final double minImprovement;

    private double learningRate;
    private int reductions;
    private double bestError = Double.POSITIVE_INFINITY;
    private int bestEpoch = -1;
    private int epochsWithoutImprovement;

    public PlateauSchedule(double initialRate, double factor, int maxReductions, int patience, double minImprovement) {
        if (!(initialRate > 0) || !(factor > 1) || maxReductions < 0 || patience < 1 || minImprovement < 0) {
            throw new IllegalArgumentException("invalid plateau schedule: rate " + initialRate + ", factor " + factor
                    + ", reductions " + maxReductions + ", patience " + patience + ", min improvement " + minImprovement);
        }
        this.learningRate = initialRate;
        this.factor = factor;
        this.maxReductions = maxReductions;
        this.patience = patience;
        this.minImprovement = minImprovement;
    }

    @Override
    public double learningRate() {
        return learningRate;
    }

    public int reductions() {
        return reductions;
    }

    @Override
    public boolean epochEnded(int epoch, double validationError) {
        if (validationError < bestError - minImprovement) {
            bestError = validationError;
            bestEpoch = epoch;
            epochsWithoutImprovement = 0;
            return false;
        }
        epochsWithoutImprovement++;
        if (epochsWithoutImprovement >= patience && reductions < maxReductions) {
            learningRate /= factor;
            reductions++;
            epochsWithoutImprovement = 0;
            return true;
        }
        return false;
    }

    @Override
    public Map<String, String> state() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("learningRate", Double.toString(learningRate));
        s.put("reductions", Integer.toString(reductions));
        s.put("bestError", Double.toString(bestError));
        s.put("bestEpoch", Integer.toString(bestEpoch));
        s.put("epochsWithoutImprovement", Integer.toString(epochsWithoutImprovement));
        return s;
    }

    @Override
    public void restore(Map<String, String> s) {
        learningRate = Double.parseDouble(s.get("learningRate"));
        reductions = Integer.parseInt(s.get("reductions"));
        bestError = Double.parseDouble(s.get("bestError"));
        bestEpoch = Integer.parseInt(s.get("bestEpoch"));
        epochsWithoutImprovement = Integer.parseInt(s.get("epochsWithoutImprovement"));
    }

    @Override
    public String describe() {
        return String.format("plateau: lr %s, %d of %d reductions, best error %s", learningRate, reductions,
                maxReductions, bestEpoch < 0 ? "none yet" : String.format("%.2f%% at epoch %d", 100 * bestError, bestEpoch));
    }
}
