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
        assertTrue(twoBytes < 2 * (2 * 100_000 * 4) + 10_000, "two workers' partial stays floats: " + twoBytes + " bytes");
        WeightedSum many = new WeightedSum();
        for (int i = 0; i <= WeightedSum.FLOAT_PARTIALS; i++) {
            many.merge(new WeightedSum().add(worker(i, 4, big)));
        }
        assertTrue(serializedSize(many) > 2 * 100_000 * 8, "beyond " + WeightedSum.FLOAT_PARTIALS
                + " workers the partial holds double sums");
    }

    /** The float-partials path and the double-sums path give the same bits, in any merge order. */
    @Test
    void floatPartialsAndDoubleSumsAgree() {
        java.util.Random random = new java.util.Random(5);
        int n = WeightedSum.FLOAT_PARTIALS + 2;
        WorkerResult[] results = new WorkerResult[n];
        for (int w = 0; w < n; w++) {
            float[] values = new float[3_000_000]; // more than one parallel chunk
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian() * 0.01f;
            }
            results[w] = worker(w, 1 + random.nextInt(200), values);
        }
        // few workers: floats kept and averaged at the end, as the formula says, in any merge order
        WeightedSum floats = new WeightedSum().add(results[0]).merge(new WeightedSum().add(results[1]))
                .merge(new WeightedSum().add(results[2]));
        WeightedSum reversed = new WeightedSum().add(results[2]).merge(new WeightedSum().add(results[1])
                .merge(new WeightedSum().add(results[0])));
        float[] expected = new float[results[0].state().size()];
        long examples = results[0].examples() + results[1].examples() + results[2].examples();
        for (int i = 0; i < expected.length; i++) {
            double sum = 0;
            for (int w = 0; w < 3; w++) {
                sum += (double) results[w].examples() * results[w].state().params()[i];
            }
            expected[i] = (float) (sum / examples);
        }
        assertArrayEquals(expected, floats.average().params(), "float partials: sum of examples * value / examples");
        assertArrayEquals(expected, reversed.average().params(), "merge order, float partials");
        // all n workers: beyond FLOAT_PARTIALS the sums are doubles; the order still does not matter
        WeightedSum forward = new WeightedSum();
        WeightedSum backward = new WeightedSum();
        for (int w = 0; w < n; w++) {
            forward.merge(new WeightedSum().add(results[w]));
            backward.merge(new WeightedSum().add(results[n - 1 - w]));
        }
        assertArrayEquals(forward.average().params(), backward.average().params(), "merge order, double sums");
        assertArrayEquals(forward.average().momentum(), backward.average().momentum());
        assertEquals(n, forward.workers());
    }

    private static long serializedSize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.size();
    }
}
