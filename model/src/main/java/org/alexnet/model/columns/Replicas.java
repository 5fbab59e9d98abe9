package org.alexnet.model.columns;

import java.util.List;
import org.alexnet.model.Backend;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The copies of the canonical graph that columns on another device drive (possible only on a
 * multi-device backend; tests force one on the CPU): each is made on its column's thread, so on
 * that column's device, and kept in step with the canonical graph by copying the column's own
 * parameters (and momentum, when training) there ({@link #load}) and back ({@link #writeBack}).
 * A column on the canonical graph's device drives the canonical graph's layers themselves.
 */
final class Replicas {
    private final ComputationGraph canonical;
    private final boolean training;
    /** The canonical graph's device. */
    private final int home;
    private final boolean[] used = new boolean[2];

    /**
     * @param training      whether the replicas train (then they carry gradients and momentum)
     * @param forceReplicaB tests only: column B drives a replica even on the canonical graph's device
     */
    Replicas(ComputationGraph canonical, Placement placement, boolean training, boolean forceReplicaB) {
        this.canonical = canonical;
        this.training = training;
        this.home = Nd4j.getAffinityManager().getDeviceForArray(canonical.params());
        for (int c = 0; c < 2; c++) {
            used[c] = (!Backend.isCpu() && placement.device(c) != home) || (forceReplicaB && c == 1);
        }
    }

    /** Whether column c drives a replica (rather than the canonical graph's layers). */
    boolean usedBy(int column) {
        return used[column];
    }

    /**
     * The graph column c drives: the canonical graph, or a new replica on the calling thread's
     * device (call it on the column's thread), with its own updater state when training.
     */
    ComputationGraph graphFor(int column) {
        if (!used[column]) {
            return canonical;
        }
        ComputationGraph r = new ComputationGraph(canonical.getConfiguration().clone());
        r.init();
        if (training) {
            r.initGradientsView();
            ParamUpdate.checkLayout(r); // initialise the state now, so DL4J never zeroes it later
        }
        return r;
    }

    /** Copies the canonical graph's values of the column's parameters into its replica, on {@code device}. */
    void load(Column column, int device) {
        copy(canonical, column.graph(), column.paramSlices(), device);
    }

    /** Copies the column's parameters from its replica into the canonical graph. */
    void writeBack(Column column) {
        copy(column.graph(), canonical, column.paramSlices(), home);
    }

    /** Copies parameters (and, when training, momentum) of the given slices, onto {@code device}. */
    private void copy(ComputationGraph from, ComputationGraph to, List<ParamUpdate.Slice> slices, int device) {
        copy(FlatVectors.params(from), FlatVectors.params(to), slices, device);
        if (training) {
            copy(FlatVectors.momentum(from), FlatVectors.momentum(to), slices, device);
        }
    }

    private static void copy(INDArray from, INDArray to, List<ParamUpdate.Slice> slices, int device) {
        for (ParamUpdate.Slice s : slices) {
            s.of(to).assign(Placement.onDevice(s.of(from), device));
        }
    }
}
