package org.alexnet.model.columns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One column's share of a training step, run on that column's thread: forward through its own
 * layers (and fc8 in column A), backward, and the parameter update of its own layers. It
 * computes with {@link LayerOps} on the parameters of the graph it was given (the canonical
 * graph, or a replica on this column's device), whose parameters and gradients are views into
 * that graph's flat vectors; its own parameters are {@link #paramSlices() slices} of them.
 */
final class Column {
    private final int index;
    private final ComputationGraph graph;
    private final List<ColumnPlan.Step> steps;
    private final ColumnPlan.Step output;
    private final String outputPoint;
    private final Exchange exchange;
    private final List<LayerOps> ops = new ArrayList<>();
    private final List<InputPreProcessor> preProcessors = new ArrayList<>();
    private final List<Long> inputWidths = new ArrayList<>();
    private final LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
    private final List<String> names = new ArrayList<>();
    private final List<ParamUpdate.Slice> paramSlices;
    private StepProfile profile;
    private long outputWidthA;
    private int batchSize;

    /**
     * @param graph the graph whose layers this column drives (canonical, or a replica on its device)
     * @param plan  the columns' layers and exchange points
     */
    Column(int index, ComputationGraph graph, ColumnPlan plan, Exchange exchange) {
        this.index = index;
        this.graph = graph;
        this.steps = plan.columns().get(index);
        this.output = index == 0 ? plan.output() : null;
        this.outputPoint = plan.output().point();
        this.exchange = exchange;
        List<ColumnPlan.Step> all = plan.stepsOf(index);
        for (ColumnPlan.Step s : all) {
            // nothing reads the gradient of the image: a layer reading it computes none
            ops.add(LayerOps.of(graph.getLayer(s.layer()), s.source() != ColumnPlan.Source.IMAGE));
            // profile rows per layer, both columns side by side: "conv1", not "conv1a"/"conv1b"
            names.add(s.name());
            preProcessors.add(((LayerVertex) graph.getVertex(s.layer())).getLayerPreProcessor());
            inputWidths.add(0L);
        }
        this.paramSlices = ParamUpdate.slices(graph, all.stream().map(ColumnPlan.Step::layer).toList());
    }

    /** Records where this column's time goes from now on (null: stop recording). */
    void profile(StepProfile profile) {
        this.profile = profile;
    }

    /** 0 for column A, 1 for column B. */
    int index() {
        return index;
    }

    /** The graph whose layers this column drives. */
    ComputationGraph graph() {
        return graph;
    }

    /** This column's parameter arrays: where they sit in its graph's flat vectors (the same in every replica). */
    List<ParamUpdate.Slice> paramSlices() {
        return paramSlices;
    }

    /**
     * Forward and backward pass of one minibatch; afterwards this column's gradient views hold
     * the gradient SUMMED over the minibatch (as DL4J's backprop leaves it).
     *
     * @return the mean data loss plus the given regularization score (column A), NaN (column B)
     */
    double forwardBackward(INDArray image, INDArray labels, double regularizationScore) throws InterruptedException {
        batchSize = (int) image.size(0);
        INDArray x = image;
        for (int i = 0; i < steps.size(); i++) {
            x = forward(i, x, image, true);
        }
        double loss = Double.NaN;
        INDArray epsilon;
        String last = outputPoint;
        if (index == 0) {
            long t = System.nanoTime();
            INDArray merged = exchange.gatherToA(last, 0, x);
            record("exchange " + last, t);
            outputWidthA = x.size(1);
            int o = steps.size();
            DenseOps out = (DenseOps) ops.get(o);
            INDArray gradOfMerged;
            try (CpuTuning.AllCores ignored = CpuTuning.allCoresWhileTheOtherWaits()) {
                t = System.nanoTime();
                out.forward(prepare(o, merged), true);
                out.setLabels(labels);
                loss = out.loss(regularizationScore);
                record(names.get(o) + " forward+loss", t);
                gradOfMerged = backward(o, null);
            }
            t = System.nanoTime();
            epsilon = exchange.scatterFromA(last, 0, gradOfMerged, outputWidthA);
            record("exchange " + last + " back", t);
        } else {
            long t = System.nanoTime();
            exchange.gatherToA(last, 1, x);
            record("exchange " + last, t);
            t = System.nanoTime();
            epsilon = exchange.scatterFromA(last, 1, null, x.size(1));
            record("exchange " + last + " back", t);
        }
        for (int i = steps.size() - 1; i >= 0; i--) {
            epsilon = backward(i, epsilon);
            ColumnPlan.Step s = steps.get(i);
            if (s.source() == ColumnPlan.Source.EXCHANGE) {
                long t = System.nanoTime();
                epsilon = exchange.reduceScatter(s.point(), index, epsilon, inputWidths.get(i));
                record("exchange " + s.point() + " back", t);
            }
        }
        return loss;
    }

    /**
     * Inference: forward through this column's layers without dropout; returns this column's
     * part of each requested layer's output (by column-agnostic name: "conv1", "fc7"; column A
     * also answers the output layer, "fc8"), each detached from the step's workspace.
     */
    Map<String, INDArray> infer(INDArray image, Set<String> layers) throws InterruptedException {
        batchSize = (int) image.size(0);
        Map<String, INDArray> kept = new LinkedHashMap<>();
        INDArray x = image;
        for (int i = 0; i < steps.size(); i++) {
            x = forward(i, x, image, false);
            if (layers.contains(names.get(i))) {
                kept.put(names.get(i), x.detach());
            }
        }
        if (index == 0) {
            INDArray merged = exchange.gatherToA(outputPoint, 0, x);
            int o = steps.size();
            INDArray out = ops.get(o).forward(prepare(o, merged), false);
            if (layers.contains(names.get(o))) {
                kept.put(names.get(o), out.detach());
            }
        } else {
            exchange.gatherToA(outputPoint, 1, x);
        }
        return kept;
    }

    /**
     * The update after {@link #forwardBackward}: this column's parameters step by their
     * gradients, with the update rules and learning rate of the canonical graph's layers.
     */
    void update(ComputationGraph canonical, int batchSize, int iteration, int epoch) {
        long t = System.nanoTime();
        ParamUpdate.apply(graph, canonical, paramSlices, batchSize, iteration, epoch);
        record("update", t);
    }

    /** The column-agnostic names of the layers this column computes, in forward order ("conv1", ..., "fc8" in A). */
    List<String> layerNames() {
        return List.copyOf(names);
    }

    /** Releases the activations each layer kept for its backward pass. */
    void clear() {
        ops.forEach(LayerOps::clear);
    }

    private INDArray forward(int i, INDArray x, INDArray image, boolean training) throws InterruptedException {
        ColumnPlan.Step s = steps.get(i);
        if (s.source() == ColumnPlan.Source.IMAGE) {
            x = image;
        } else if (s.source() == ColumnPlan.Source.EXCHANGE) {
            long ownWidth = x.size(1);
            long t = System.nanoTime();
            x = exchange.allGather(s.point(), index, x);
            record("exchange " + s.point(), t);
            // the width of column A's part of the merged input, for splitting its gradient later
            inputWidths.set(i, index == 0 ? ownWidth : x.size(1) - ownWidth);
        }
        long t = System.nanoTime();
        INDArray out = ops.get(i).forward(prepare(i, x), training);
        record(names.get(i) + " forward", t);
        return out;
    }

    private void record(String what, long startNanos) {
        if (profile != null) {
            profile.add(index, what, startNanos);
        }
    }

    private INDArray prepare(int i, INDArray x) {
        InputPreProcessor p = preProcessors.get(i);
        return p == null ? x : p.preProcess(x, batchSize, mgr);
    }

    /** Backward through step i: fills its gradient views and returns the gradient of its input. */
    private INDArray backward(int i, INDArray epsilon) {
        long t = System.nanoTime();
        INDArray gradient = ops.get(i).backward(epsilon);
        InputPreProcessor p = preProcessors.get(i);
        INDArray out = p == null || gradient == null ? gradient : p.backprop(gradient, batchSize, mgr);
        record(names.get(i) + " backward", t);
        return out;
    }
}
