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
 */
public final class ClassicalMomentum implements IUpdater {
    private double learningRate;
    private final double momentum;

    public ClassicalMomentum(@JsonProperty("learningRate") double learningRate,
                             @JsonProperty("momentum") double momentum) {
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    public double getLearningRate() {
        return learningRate;
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
        return new ClassicalMomentum(learningRate, momentum);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRate;
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
        return o instanceof ClassicalMomentum m && m.learningRate == learningRate && m.momentum == momentum;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, momentum);
    }

    @Override
    public String toString() {
        return "ClassicalMomentum(lr=" + learningRate + ", momentum=" + momentum + ")";
    }
}
