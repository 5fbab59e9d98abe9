package org.alexnet.model;

import java.util.Collections;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * State and arithmetic of {@link ClassicalMomentum}: the velocity {@code v}, one value per
 * parameter, held in DL4J's updater-state view (so checkpoints and parameter averaging see it).
 */
public final class ClassicalMomentumUpdater implements GradientUpdater<ClassicalMomentum> {
    /** Name of the velocity in DL4J's updater state map. */
    public static final String VELOCITY = "V";

    private final ClassicalMomentum config;
    private INDArray v;

    public ClassicalMomentumUpdater(ClassicalMomentum config) {
        this.config = config;
    }

    @Override
    public ClassicalMomentum getConfig() {
        return config;
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        if (initialize) {
            viewArray.assign(0);
        }
        v = Shape.newShapeNoCopy(viewArray, gradientShape, gradientOrder == 'f');
        if (v == null) {
            throw new IllegalStateException("cannot view the momentum state with the gradient's shape");
        }
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        if (!stateMap.containsKey(VELOCITY) || stateMap.size() != 1) {
            throw new IllegalStateException("state must hold exactly [" + VELOCITY + "], got " + stateMap.keySet());
        }
        v = stateMap.get(VELOCITY);
        if (initialize) {
            v.assign(0);
        }
    }

    @Override
    public Map<String, INDArray> getState() {
        return Collections.singletonMap(VELOCITY, v);
    }

    /**
     * On entry {@code gradient} holds g + wd * w; on exit it holds the step DL4J subtracts from
     * the parameters, -v, so that w - (-v) = w + v.
     */
    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (v == null) {
            throw new IllegalStateException("updater used before its state was set");
        }
        INDArray g = gradient.reshape(v.shape());
        double lr = config.getLearningRate(iteration, epoch);
        // v <- momentum * v - lr * g   (in place, no temporaries of the parameter size)
        v.muli(config.getMomentum()).subi(g.muli(lr));
        // the step DL4J subtracts: -v
        g.assign(v).negi();
    }
}
