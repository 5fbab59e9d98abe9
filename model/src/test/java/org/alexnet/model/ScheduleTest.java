package org.alexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.alexnet.model.bench.TrainStepBenchmark;
import org.alexnet.model.training.LearningRates;
import org.alexnet.model.training.PlateauSchedule;
import org.alexnet.model.training.StepSchedule;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The learning-rate schedules, their checkpoint state, and applying a new rate to a network. */
class ScheduleTest {

    @Test
    void plateauDividesByTenAtMostThreeTimes() {
        PlateauSchedule s = new PlateauSchedule(0.01, 10, 3, 2, 0.0, 0, Double.POSITIVE_INFINITY);
        double[] errors = {0.9, 0.8, 0.8, 0.8, 0.7, 0.75, 0.71, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77};
        // plateaus of 2 epochs end at epochs 4, 7 and 9; the one at epochs 11-12 finds no reduction left
        double[] expectedRate = {0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 1e-4, 1e-4, 1e-5, 1e-5, 1e-5, 1e-5, 1e-5, 1e-5};
        for (int epoch = 1; epoch <= errors.length; epoch++) {
            s.epochEnded(epoch, errors[epoch - 1]);
            assertEquals(expectedRate[epoch - 1], s.learningRate(), 1e-15, "rate after epoch " + epoch);
        }
        assertEquals(3, s.reductions(), "never more than three reductions");
    }

    @Test
    void noDropWhileTheRunIsStillAtChance() {
        // 10 classes: chance is 90% top-1 error; the rule starts below 0.9 x 90% = 81%
        double leave = PlateauSchedule.leaveBelow(10, 0.1);
        assertEquals(0.81, leave, 1e-12);
        PlateauSchedule s = new PlateauSchedule(0.01, 10, 3, 2, 0.0, 0, leave);
        // the run: 87.7-92% for ten epochs, where the paper's rule divided the rate three times
        double[] stuck = {0.877, 0.90, 0.92, 0.877, 0.91, 0.89, 0.90, 0.88, 0.92, 0.90};
        for (int epoch = 1; epoch <= stuck.length; epoch++) {
            assertFalse(s.epochEnded(epoch, stuck[epoch - 1]), "no drop at chance, epoch " + epoch);
        }
        assertEquals(0.01, s.learningRate(), 0.0, "the rate is untouched while the run is at chance");
        assertTrue(s.describe().contains("still on the initial plateau") && s.describe().contains("81.0%"), s.describe());
        assertFalse(s.epochEnded(11, 0.70), "leaving the plateau is an improvement");
        assertEquals(11, s.leftPlateauAt());
        assertFalse(s.epochEnded(12, 0.72));
        assertTrue(s.epochEnded(13, 0.71), "then the paper's rule: two epochs without a new best");
        assertEquals(0.001, s.learningRate(), 1e-15);
    }

    @Test
    void noDropDuringTheWarmUpEpochs() {
        PlateauSchedule s = new PlateauSchedule(0.01, 10, 3, 1, 0.0, 3, Double.POSITIVE_INFINITY);
        for (int epoch = 1; epoch <= 3; epoch++) {
            assertFalse(s.epochEnded(epoch, 0.5), "warm-up epoch " + epoch);
        }
        assertEquals(0.01, s.learningRate(), 0.0);
        assertEquals(0, s.leftPlateauAt(), "nothing counts during the warm-up");
        assertFalse(s.epochEnded(4, 0.5), "epoch 4 starts the count");
        assertTrue(s.epochEnded(5, 0.5), "patience 1: epoch 5 without a new best drops");
    }

    @Test
    void plateauStateRoundTripsThroughACheckpoint() {
        PlateauSchedule a = new PlateauSchedule(0.01, 10, 3, 1, 0.0, 0, Double.POSITIVE_INFINITY);
        a.epochEnded(1, 0.5);
        a.epochEnded(2, 0.6);
        PlateauSchedule b = new PlateauSchedule(0.01, 10, 3, 1, 0.0, 0, Double.POSITIVE_INFINITY);
        b.restore(a.state());
        assertEquals(a.state(), b.state());
        assertEquals(a.epochEnded(3, 0.7), b.epochEnded(3, 0.7), "restored schedule decides like the original");
        assertEquals(a.learningRate(), b.learningRate());

        PlateauSchedule atChance = new PlateauSchedule(0.01, 10, 3, 1, 0.0, 0, 0.81);
        atChance.epochEnded(1, 0.9);
        PlateauSchedule resumed = new PlateauSchedule(0.01, 10, 3, 1, 0.0, 0, 0.81);
        resumed.restore(atChance.state());
        assertEquals(0, resumed.leftPlateauAt(), "a resumed run is still on its initial plateau");
        assertFalse(resumed.epochEnded(2, 0.9), "and still does not drop");

        Map<String, String> older = new java.util.HashMap<>(a.state());
        older.remove("leftPlateauAt");
        PlateauSchedule fromOlder = new PlateauSchedule(0.01, 10, 3, 1, 0.0, 0, 0.81);
        fromOlder.restore(older);
        assertEquals(1, fromOlder.leftPlateauAt(), "a checkpoint from before the rule counts as it did");
    }

    @Test
    void stepScheduleDropsAfterTheListedEpochs() {
        StepSchedule s = new StepSchedule(0.01, 10, List.of(2, 4));
        assertEquals(0.01, s.learningRate(), 1e-15);
        assertFalse(s.epochEnded(1, 0.5));
        assertTrue(s.epochEnded(2, 0.5));
        assertEquals(0.001, s.learningRate(), 1e-15);
        s.epochEnded(3, 0.5);
        s.epochEnded(4, 0.5);
        assertEquals(1e-4, s.learningRate(), 1e-15);
        StepSchedule restored = new StepSchedule(0.01, 10, List.of(2, 4));
        restored.restore(s.state());
        assertEquals(s.learningRate(), restored.learningRate(), 1e-15);
    }

    @Test
    void trainingAfterARateChangeContinuesFromTheSameMomentum() {
        AlexNetConfig tiny = AlexNetConfig.preset("tiny", Map.of("model.classes", "5", "model.dropout", "0"));
        ComputationGraph changed = AlexNet.build(tiny);
        changed.fit(TrainStepBenchmark.randomBatch(tiny, 4, 1));
        ComputationGraph untouched = changed.clone();
        changed.setLearningRate(0.01); // same value: only DL4J's updater rebuild differs between the two
        changed.fit(TrainStepBenchmark.randomBatch(tiny, 4, 2));
        untouched.fit(TrainStepBenchmark.randomBatch(tiny, 4, 2));
        assertEquals(untouched.getUpdater().getStateViewArray(), changed.getUpdater().getStateViewArray(),
                "the velocity after the next step is 0.9 v - lr g, not -lr g from a reset");
        assertEquals(untouched.params(), changed.params());
    }

    @Test
    void applyingANewRateKeepsTheMomentum() {
        AlexNetConfig tiny = AlexNetConfig.preset("tiny", Map.of("model.classes", "5"));
        ComputationGraph graph = AlexNet.build(tiny);
        graph.fit(TrainStepBenchmark.randomBatch(tiny, 4, 1));
        INDArray momentumBefore = graph.getUpdater().getStateViewArray().dup();
        assertTrue(momentumBefore.amaxNumber().doubleValue() > 0, "one step leaves a non-zero velocity");

        PlateauSchedule s = new PlateauSchedule(0.01, 10, 3, 1, 0.0, 0, Double.POSITIVE_INFINITY);
        s.epochEnded(1, 0.5);
        s.epochEnded(2, 0.5);
        LearningRates.apply(graph, s);

        assertEquals(0.001, graph.getLearningRate("conv1a"), 1e-15, "conv1a uses the new rate");
        assertEquals(0.001 * AlexNet.outputLearningRateScale(tiny), graph.getLearningRate("fc8"), 1e-15,
                "fc8 uses the new rate times its own multiple");
        assertEquals(momentumBefore, graph.getUpdater().getStateViewArray(), "the velocity survives a rate change");
    }
}
