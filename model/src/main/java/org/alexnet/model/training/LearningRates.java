package org.alexnet.model.training;

import org.deeplearning4j.nn.graph.ComputationGraph;

/** Applies a schedule's learning rate to a network (every layer, as the paper uses one rate for all). */
public final class LearningRates {
    private LearningRates() {
    }

    public static void apply(ComputationGraph graph, LearningRateSchedule schedule) {
        graph.setLearningRate(schedule.learningRate());
    }
}
