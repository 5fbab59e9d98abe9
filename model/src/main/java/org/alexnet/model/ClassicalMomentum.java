package org.alexnet.model;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The paper's update rule (section 5): CLASSICAL momentum, not Nesterov's (the only momentum
 * DL4J ships):
 * <pre>
 *   v &lt;- momentum * v - lr * wd * w - lr * dL/dw
 *   w &lt;- w + v
 * </pre>
 * The weight-decay term reaches the updater through {@link PaperWeightDecay}, which adds
 * {@code wd * w} to the gradient before this updater runs; this updater then computes
 * {@code v <- momentum * v - lr * (g + wd * w)}, which is the paper's rule exactly. The
 * learning rate is a plain value that the training job's schedule sets between epochs.
 *
 * <p>A layer may take a fixed multiple of the network's rate ({@code learningRateScale}, 1 for
 * every layer of the paper's net): the schedule sets the network's rate and every layer keeps
 * its multiple (see {@link AlexNet#outputLearningRateScale}).
 */
public final class ClassicalMomentum implements IUpdater {
    private double learningRate;
    private final double momentum;
    private final double learningRateScale;

    /** The paper's rule with the network's learning rate. */
    public ClassicalMomentum(double learningRate, double momentum) {
        this(learningRate, momentum, 1.0);
    }

    /**
     * @param learningRate      the network's learning rate (what the schedule sets)
     * @param momentum          classical momentum
     * @param learningRateScale this layer's rate as a multiple of the network's (1 = the same)
     */
    public ClassicalMomentum(double learningRate, double momentum, double learningRateScale) {
        if (!(learningRateScale > 0) || Double.isInfinite(learningRateScale)) {
            throw new IllegalArgumentException("learning-rate scale must be positive and finite, got " + learningRateScale);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.learningRateScale = learningRateScale;
    }

    /** Reads the JSON of a saved graph; files written before the scale existed have none (= 1). */
    @org.nd4j.shade.jackson.annotation.JsonCreator
    static ClassicalMomentum fromJson(@JsonProperty("learningRate") double learningRate,
                                      @JsonProperty("momentum") double momentum,
                                      @JsonProperty("learningRateScale") Double learningRateScale) {
        return new ClassicalMomentum(learningRate, momentum, learningRateScale == null ? 1.0 : learningRateScale);
    }

    /** The network's learning rate (this layer's is {@link #getLearningRate(int, int)}). */
    public double getLearningRate() {
        return learningRate;
    }

    /** This layer's learning rate as a multiple of the network's. */
    public double getLearningRateScale() {
        return learningRateScale;
    }

    public double getMomentum() {
        return momentum;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        ClassicalMomentumUpdater u = new ClassicalMomentumUpdater(this);
        INDArray flat = viewArray.reshape(viewArray.length());
        u.setStateViewArray(flat, flat.shape(), flat.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        ClassicalMomentumUpdater u = new ClassicalMomentumUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public ClassicalMomentum clone() {
        return new ClassicalMomentum(learningRate, momentum, learningRateScale);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRate * learningRateScale;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        if (lrSchedule != null) {
            throw new UnsupportedOperationException(
                    "ClassicalMomentum takes a plain learning rate; the training job's schedule sets it between epochs");
        }
        this.learningRate = lr;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassicalMomentum m && m.learningRate == learningRate && m.momentum == momentum
                && m.learningRateScale == learningRateScale;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, momentum, learningRateScale);
    }

    @Override
    public String toString() {
        return "ClassicalMomentum(lr=" + learningRate + (learningRateScale == 1.0 ? "" : " x " + learningRateScale)
                + ", momentum=" + momentum + ")";
    }
}
