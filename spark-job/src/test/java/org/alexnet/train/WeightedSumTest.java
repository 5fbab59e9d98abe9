package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** The round's weighted average: values, merge-order independence and wire size. */
class WeightedSumTest {
    private static WorkerResult worker(int id, long examples, float... params) {
        float[] momentum = new float[params.length];
        for (int i = 0; i < params.length; i++) {
            momentum[i] = -params[i] / 10;
        }
        return new WorkerResult(id, new ParameterState(params, momentum), examples, 1, examples * 0.5, 0.1, 0.9);
    }

    @Test
    void averagesParametersAndMomentumWeightedByExamples() {
        WeightedSum sum = new WeightedSum().add(worker(0, 3, 1f, 2f)).merge(new WeightedSum().add(worker(1, 1, 5f, -2f)));
        ParameterState avg = sum.average();
        assertArrayEquals(new float[] {2f, 1f}, avg.params(), "(3*1 + 1*5)/4 and (3*2 - 1*2)/4");
        assertArrayEquals(new float[] {-0.2f, -0.1f}, avg.momentum(), 1e-7f, "momentum is averaged the same way");
        assertEquals(4, sum.examples());
        assertEquals(2, sum.workers());
        assertEquals(0.5, sum.meanLoss(), 1e-12);
    }

    @Test
    void theMergeOrderDoesNotChangeTheAverage() {
        WorkerResult a = worker(0, 7, 0.1f, 1e-3f, 3.3f);
        WorkerResult b = worker(1, 5, 0.2f, 2e-3f, -1.7f);
        WorkerResult c = worker(2, 9, 0.3f, 7e-4f, 0.01f);
        ParameterState abc = new WeightedSum().add(a).merge(new WeightedSum().add(b)).merge(new WeightedSum().add(c)).average();
        ParameterState cba = new WeightedSum().add(c).merge(new WeightedSum().add(b).merge(new WeightedSum().add(a))).average();
        assertArrayEquals(abc.params(), cba.params(), "bit-identical whatever order Spark merges in");
        assertArrayEquals(abc.momentum(), cba.momentum());
    }

    @Test
    void oneWorkersPartialTravelsAsFloatsAndIsItsOwnAverage() throws IOException {
        float[] big = new float[100_000];
        WorkerResult r = worker(0, 4, big);
        WeightedSum one = new WeightedSum().add(r);
        assertSame(r.state(), one.average(), "a single worker's state is the average");
        long oneBytes = serializedSize(one);
        long twoBytes = serializedSize(new WeightedSum().add(r).merge(new WeightedSum().add(worker(1, 4, big))));
        assertTrue(oneBytes < 2 * 100_000 * 4 + 10_000, "floats on the wire: " + oneBytes + " bytes");
        assertTrue(twoBytes > 2 * 100_000 * 8, "merged partials hold double sums: " + twoBytes + " bytes");
    }

    private static long serializedSize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.size();
    }
}
