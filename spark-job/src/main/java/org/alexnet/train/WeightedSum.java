package org.alexnet.train;

import java.io.Serializable;

/**
 * The aggregate of one round: parameters and momentum summed in double precision, weighted by
 * the examples each worker saw, plus the workers' loss and timing.
 *
 * <p>Wire size: a partial that holds ONE worker's result keeps that worker's float arrays as
 * they are (exact, half the bytes of doubles); only a merge of two or more workers allocates the
 * double sums. With one partition per worker, treeAggregate therefore ships floats from the
 * workers, and doubles only between merge levels.
 *
 * <p>Determinism: n * p is exact in double for a float p and an example count below 2^29, and
 * adding a few such products is exact as long as their exponents are close, which they are for
 * the handful of workers of a merge; so the average does not depend on the order Spark merges
 * results in, and a resumed run reproduces an uninterrupted one.
 */
public final class WeightedSum implements Serializable {
    private static final long serialVersionUID = 2L;

    private WorkerResult single;   // the only contribution so far, as the worker sent it
    private double[] params;       // sums of examples * value, once two or more contributions meet
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
        if (workers == 0) {
            single = r;
        } else {
            expand();
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
        if (workers == 0) {
            single = o.single;
            params = o.params;
            momentum = o.momentum;
        } else {
            expand();
            if (o.single != null) {
                accumulate(o.single.state(), o.single.examples());
            } else {
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

    /** Turns a one-worker partial into double sums. */
    private void expand() {
        if (single != null) {
            params = new double[single.state().size()];
            momentum = new double[single.state().size()];
            accumulate(single.state(), single.examples());
            single = null;
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

    /** The example-weighted average of parameters and momentum. */
    public ParameterState average() {
        if (examples == 0) {
            throw new IllegalStateException("no worker trained on any example this round");
        }
        if (single != null) {
            return single.state(); // one worker: its state is the average, exactly
        }
        float[] p = new float[params.length];
        float[] m = new float[momentum.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (params[i] / examples);
            m[i] = (float) (momentum[i] / examples);
        }
        return new ParameterState(p, m);
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
