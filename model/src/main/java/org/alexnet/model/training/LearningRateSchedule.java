package org.alexnet.model.training;

import java.util.Map;

/**
 * The learning rate over training, driven by the training job once per epoch. Its state is
 * plain key/value text so a checkpoint can hold it and a resumed run continues exactly.
 */
public interface LearningRateSchedule {
    /** The learning rate to use now. */
    double learningRate();

    /**
     * Records a finished epoch and its validation error (top-1, in [0, 1]).
     *
     * @return true when the learning rate changed
     */
    boolean epochEnded(int epoch, double validationError);

    /** The state, for a checkpoint. */
    Map<String, String> state();

    /** Restores {@link #state()}. */
    void restore(Map<String, String> state);

    /** One line for the log, e.g. "plateau: lr 0.001, 2 of 3 reductions, best 41.2% at epoch 37". */
    String describe();
}
