package org.alexnet.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The paper's weight decay, the {@code - wd * lr * w} term inside the momentum update: adds
 * {@code wd * w} to the gradient just before {@link ClassicalMomentum} multiplies by the
 * learning rate. Applies to weights, not biases (cuda-convnet and Caffe's AlexNet do not decay
 * biases). It is part of the update rule, not of the objective: the loss the job reports is the
 * data loss (cross-entropy), as the paper reports it, so {@link #score} is 0.
 */
public final class PaperWeightDecay implements Regularization {
    private final double coefficient;

    public PaperWeightDecay(@JsonProperty("coefficient") double coefficient) {
        this.coefficient = coefficient;
    }

    public double getCoefficient() {
        return coefficient;
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        Nd4j.exec(new Axpy(param, gradView, gradView, coefficient)); // gradView += wd * param
    }

    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0;
    }

    @Override
    public PaperWeightDecay clone() {
        return new PaperWeightDecay(coefficient);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PaperWeightDecay w && w.coefficient == coefficient;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(coefficient);
    }

    @Override
    public String toString() {
        return "PaperWeightDecay(" + coefficient + ")";
    }
}
