package org.alexnet.model.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The paper's schedule (section 5): start at the initial rate and divide by {@code factor} when
 * the validation error stops improving, at most {@code maxReductions} times (the paper: by 10,
 * three times). "Stops improving" is made precise as: no new best error, by more than
 * {@code minImprovement}, for {@code patience} consecutive epochs. After a reduction the count
 * starts again.
 *
 * <p>A run that has not yet left its initial plateau is not "stopped improving": it has not
 * started. Nothing counts until the run has left it: until an epoch after the first
 * {@code warmupEpochs} whose top-1 error is below {@code leaveBelowError} (the training job
 * passes (1 - margin) x chance's error, chance = 1 - 1/classes). Dividing the rate of a net still
 * at chance only keeps it there.
 */
public final class PlateauSchedule implements LearningRateSchedule {
    private final double factor;
    private final int maxReductions;
    private final int patience;
    private final double minImprovement;
    private final int warmupEpochs;
    private final double leaveBelowError;

    private double learningRate;
    private int reductions;
    private double bestError = Double.POSITIVE_INFINITY;
    private int bestEpoch = -1;
    private int epochsWithoutImprovement;
    private int leftPlateauAt;

    /**
     * @param warmupEpochs    epochs at the start in which nothing counts
     * @param leaveBelowError the top-1 error (in [0, 1]) below which the run has left its initial
     *                        plateau; {@code Double.POSITIVE_INFINITY} = from the first epoch
     */
    public PlateauSchedule(double initialRate, double factor, int maxReductions, int patience, double minImprovement,
                           int warmupEpochs, double leaveBelowError) {
        if (!(initialRate > 0) || !(factor > 1) || maxReductions < 0 || patience < 1 || minImprovement < 0
                || warmupEpochs < 0 || !(leaveBelowError > 0)) {
            throw new IllegalArgumentException("invalid plateau schedule: rate " + initialRate + ", factor " + factor
                    + ", reductions " + maxReductions + ", patience " + patience + ", min improvement " + minImprovement
                    + ", warm-up " + warmupEpochs + ", leave below " + leaveBelowError);
        }
        this.learningRate = initialRate;
        this.factor = factor;
        this.maxReductions = maxReductions;
        this.patience = patience;
        this.minImprovement = minImprovement;
        this.warmupEpochs = warmupEpochs;
        this.leaveBelowError = leaveBelowError;
    }

    /** The error a run of {@code classes} classes leaves its initial plateau below: (1 - margin) x (1 - 1/classes). */
    public static double leaveBelow(int classes, double chanceMargin) {
        return (1 - chanceMargin) * (1 - 1.0 / classes);
    }

    @Override
    public double learningRate() {
        return learningRate;
    }

    public int reductions() {
        return reductions;
    }

    /** The epoch in which the run left its initial plateau; 0 while it has not. */
    public int leftPlateauAt() {
        return leftPlateauAt;
    }

    @Override
    public boolean epochEnded(int epoch, double validationError) {
        boolean improved = validationError < bestError - minImprovement;
        if (improved) {
            bestError = validationError;
            bestEpoch = epoch;
        }
        if (leftPlateauAt == 0) {
            if (epoch > warmupEpochs && validationError < leaveBelowError) {
                leftPlateauAt = epoch;
            }
            return false;
        }
        if (improved) {
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
        s.put("leftPlateauAt", Integer.toString(leftPlateauAt));
        return s;
    }

    @Override
    public void restore(Map<String, String> s) {
        learningRate = Double.parseDouble(s.get("learningRate"));
        reductions = Integer.parseInt(s.get("reductions"));
        bestError = Double.parseDouble(s.get("bestError"));
        bestEpoch = Integer.parseInt(s.get("bestEpoch"));
        epochsWithoutImprovement = Integer.parseInt(s.get("epochsWithoutImprovement"));
        // checkpoints written before the rule counted from the first epoch
        leftPlateauAt = Integer.parseInt(s.getOrDefault("leftPlateauAt", bestEpoch > 0 ? "1" : "0"));
    }

    @Override
    public String describe() {
        String best = bestEpoch < 0 ? "none yet" : String.format("%.2f%% at epoch %d", 100 * bestError, bestEpoch);
        String plateau = leftPlateauAt > 0 ? "" : "; still on the initial plateau: no drop before "
                + (warmupEpochs > 0 ? "epoch " + (warmupEpochs + 1) + (leaveBelowError <= 1 ? " nor before " : "") : "")
                + (leaveBelowError <= 1 ? String.format("the top-1 error falls below %.1f%%", 100 * leaveBelowError) : "");
        return String.format("plateau: lr %s, %d of %d reductions, best error %s%s", learningRate, reductions,
                maxReductions, best, plateau);
    }
}
