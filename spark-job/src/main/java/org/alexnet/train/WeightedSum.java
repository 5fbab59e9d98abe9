package org.alexnet.train;

import java.io.Serializable;

/**
 * The aggregate of one round: parameters and momentum summed in double precision, weighted by
 * the examples each worker saw, plus the workers' loss and timing. Combining is associative
 * and, for the few workers of a round, exact in double precision (sums of float products), so
 * the average does not depend on the order Spark merges results in: a resumed run reproduces
 * an uninterrupted one.
 */
public final class WeightedSum implements Serializable {
    private static final long serialVersionUID = 1L;

    private double[] params;
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
        if (params == null) {
            params = new double[r.state().size()];
            momentum = new double[r.state().size()];
        }
        float[] p = r.state().params();
        float[] m = r.state().momentum();
        double n = r.examples();
        for (int i = 0; i < p.length; i++) {
            params[i] += n * p[i];
            momentum[i] += n * m[i];
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
        if (o.params != null) {
            if (params == null) {
                params = o.params;
                momentum = o.momentum;
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

    /** The example-weighted average of parameters and momentum. */
    public ParameterState average() {
        if (examples == 0) {
            throw new IllegalStateException("no worker trained on any example this round");
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
