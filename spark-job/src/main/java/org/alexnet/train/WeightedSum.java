package org.alexnet.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The aggregate of one round: parameters and momentum weighted by the examples each worker saw,
 * plus the workers' loss and timing.
 *
 * <p>Up to {@value #FLOAT_PARTIALS} workers' results are kept as they came, float arrays, and
 * averaged in one pass at the end ({@link #average}, in worker order, on all the driver's
 * cores); only a merge beyond that converts to double sums. So a round of a few workers neither
 * allocates nor ships doubles (twice the bytes of the model) and touches each value once.
 *
 * <p>Determinism: n * p is exact in double for a float p and an example count below 2^29, and
 * adding a few such products is exact as long as their exponents are close, which they are for
 * the handful of workers of a merge; the float partials are summed in worker order anyway, so
 * the average does not depend on the order Spark merges results in, and a resumed run
 * reproduces an uninterrupted one.
 */
public final class WeightedSum implements Serializable {
    private static final long serialVersionUID = 3L;
    /** Workers' results kept as floats before a merge turns them into double sums. */
    static final int FLOAT_PARTIALS = 4;
    /** Elements per parallel chunk of the final average. */
    private static final int CHUNK = 1 << 20;

    private final List<WorkerResult> partials = new ArrayList<>(); // as the workers sent them
    private double[] params;       // sums of examples * value, once more than FLOAT_PARTIALS meet
    private double[] momentum;
    private long examples;
    private double lossSum;
    private long minibatches;
    private double dataWaitSeconds;
    private double computeSeconds;
    private int workers;
    private boolean nonFinite;

    /** Adds one worker's result. */
    public WeightedSum add(WorkerResult r) {
        if (r.examples() == 0) {
            return this;
        }
        if (params == null && partials.size() < FLOAT_PARTIALS) {
            partials.add(r);
        } else {
            expand(r.state().size());
            accumulate(r.state(), r.examples());
        }
        examples += r.examples();
        lossSum += r.lossSum();
        minibatches += r.minibatches();
        dataWaitSeconds += r.dataWaitSeconds();
        computeSeconds += r.computeSeconds();
        workers++;
        nonFinite |= !Double.isFinite(r.lossSum());
        return this;
    }

    /** Merges another partial sum into this one. */
    public WeightedSum merge(WeightedSum o) {
        if (o.workers == 0) {
            return this;
        }
        if (params == null && o.params == null && partials.size() + o.partials.size() <= FLOAT_PARTIALS) {
            partials.addAll(o.partials);
        } else if (workers == 0) {
            params = o.params; // an empty partial takes the other's sums (Spark drops the other)
            momentum = o.momentum;
        } else {
            expand(o.params != null ? o.params.length : o.partials.get(0).state().size());
            for (WorkerResult r : o.partials) {
                accumulate(r.state(), r.examples());
            }
            if (o.params != null) {
                for (int i = 0; i < params.length; i++) {
                    params[i] += o.params[i];
                    momentum[i] += o.momentum[i];
                }
            }
        }
        examples += o.examples;
        lossSum += o.lossSum;
        minibatches += o.minibatches;
        dataWaitSeconds += o.dataWaitSeconds;
        computeSeconds += o.computeSeconds;
        workers += o.workers;
        nonFinite |= o.nonFinite;
        return this;
    }

    /** Turns the float partials into double sums (of {@code size} values each). */
    private void expand(int size) {
        if (params == null) {
            params = new double[size];
            momentum = new double[size];
            for (WorkerResult r : sortedPartials()) {
                accumulate(r.state(), r.examples());
            }
            partials.clear();
        }
    }

    private void accumulate(ParameterState s, long n) {
        float[] p = s.params();
        float[] m = s.momentum();
        double w = n;
        for (int i = 0; i < p.length; i++) {
            params[i] += w * p[i];
            momentum[i] += w * m[i];
        }
    }

    private List<WorkerResult> sortedPartials() {
        List<WorkerResult> sorted = new ArrayList<>(partials);
        sorted.sort(Comparator.comparingInt(WorkerResult::worker));
        return sorted;
    }

    /** The example-weighted average of parameters and momentum. */
    public ParameterState average() {
        if (examples == 0) {
            throw new IllegalStateException("no worker trained on any example this round");
        }
        if (params == null && partials.size() == 1) {
            return partials.get(0).state(); // one worker: its state is the average, exactly
        }
        int size = params != null ? params.length : partials.get(0).state().size();
        float[] p = new float[size];
        float[] m = new float[size];
        List<WorkerResult> sorted = params == null ? sortedPartials() : List.of();
        IntStream.range(0, (size + CHUNK - 1) / CHUNK).parallel().forEach(c -> {
            int from = c * CHUNK;
            int to = Math.min(size, from + CHUNK);
            if (params != null) {
                for (int i = from; i < to; i++) {
                    p[i] = (float) (params[i] / examples);
                    m[i] = (float) (momentum[i] / examples);
                }
            } else {
                averageFloats(sorted, p, m, from, to);
            }
        });
        return new ParameterState(p, m);
    }

    /** The same sums as the double path (from 0, adding examples * value per worker), per element. */
    private void averageFloats(List<WorkerResult> sorted, float[] p, float[] m, int from, int to) {
        int k = sorted.size();
        float[][] ps = new float[k][];
        float[][] ms = new float[k][];
        double[] w = new double[k];
        for (int j = 0; j < k; j++) {
            ps[j] = sorted.get(j).state().params();
            ms[j] = sorted.get(j).state().momentum();
            w[j] = sorted.get(j).examples();
        }
        double n = examples;
        for (int i = from; i < to; i++) {
            double sp = 0;
            double sm = 0;
            for (int j = 0; j < k; j++) {
                sp += w[j] * ps[j][i];
                sm += w[j] * ms[j][i];
            }
            p[i] = (float) (sp / n);
            m[i] = (float) (sm / n);
        }
    }

    public long examples() {
        return examples;
    }

    /** Mean training loss per example over the round. */
    public double meanLoss() {
        return lossSum / Math.max(1, examples);
    }

    public long minibatches() {
        return minibatches;
    }

    public int workers() {
        return workers;
    }

    /** Share of the workers' time spent waiting for input, in [0, 1]. */
    public double dataWaitShare() {
        double total = dataWaitSeconds + computeSeconds;
        return total == 0 ? 0 : dataWaitSeconds / total;
    }

    /** True when any worker saw a NaN or infinite loss. */
    public boolean nonFinite() {
        return nonFinite || !Double.isFinite(lossSum);
    }
}
