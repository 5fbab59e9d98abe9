package org.alexnet.model.columns;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One column's share of a training step, run on that column's thread: forward through its own
 * layers (and fc8 in column A), backward, and the parameter update of its own layers. It drives
 * the Layer objects of the graph it was given (the canonical graph, or a replica on this
 * column's device), whose parameters and gradients are views into that graph's flat vectors.
 */
final class Column {
    private final int index;
    private final ComputationGraph graph;
    private final List<ColumnPlan.Step> steps;
    private final ColumnPlan.Step output;
    private final String outputPoint;
    private final Exchange exchange;
    private final List<Layer> layers = new ArrayList<>();
    private final List<InputPreProcessor> preProcessors = new ArrayList<>();
    private final List<Long> inputWidths = new ArrayList<>();
    private final LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
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
        for (ColumnPlan.Step s : allSteps()) {
            layers.add(checkLrn(graph.getLayer(s.layer())));
            preProcessors.add(((LayerVertex) graph.getVertex(s.layer())).getLayerPreProcessor());
            inputWidths.add(0L);
        }
    }

    /**
     * DL4J's LRN layer computes the paper's formula with the alpha it is given (AlexNet hands it
     * the alpha of the configured convention) through plain ND4J ops, on the CPU and on CUDA
     * alike: in 1.0.0-M2.1 its only CUDA helper, the cuDNN one, is not published, so none is
     * found. cuDNN would divide alpha by n, so a layer that did find a helper would compute a
     * different convention on the GPU: refuse it rather than train a different model.
     */
    private static Layer checkLrn(Layer layer) {
        if (layer instanceof org.deeplearning4j.nn.layers.normalization.LocalResponseNormalization lrn
                && lrn.getHelper() != null) {
            throw new IllegalStateException("LRN layer '" + layer.getConfig().getLayerName() + "' runs through "
                    + lrn.getHelper().getClass().getName() + ", whose alpha convention may differ from the configured "
                    + "one (cuDNN divides alpha by n); disable DL4J's helpers with -D"
                    + org.deeplearning4j.config.DL4JSystemProperties.DISABLE_HELPER_PROPERTY + "=true");
        }
        return layer;
    }

    /** This column's steps, plus the output layer for column A. */
    List<ColumnPlan.Step> allSteps() {
        List<ColumnPlan.Step> all = new ArrayList<>(steps);
        if (output != null) {
            all.add(output);
        }
        return all;
    }

    /** The graph whose layers this column drives. */
    ComputationGraph graph() {
        return graph;
    }

    /**
     * Forward and backward pass of one minibatch; afterwards this column's gradient views hold
     * the gradient SUMMED over the minibatch (as DL4J's backprop leaves it).
     *
     * @return the mean data loss (column A), NaN (column B)
     */
    double forwardBackward(INDArray image, INDArray labels, double regularizationScore) throws InterruptedException {
        batchSize = (int) image.size(0);
        INDArray x = image;
        for (int i = 0; i < steps.size(); i++) {
            x = forward(i, x, image);
        }
        double loss = Double.NaN;
        INDArray epsilon;
        String last = outputPoint;
        if (index == 0) {
            INDArray merged = exchange.gatherToA(last, 0, x);
            outputWidthA = x.size(1);
            int o = steps.size();
            setInput(o, merged);
            IOutputLayer out = (IOutputLayer) layers.get(o);
            out.setLabels(labels);
            loss = out.computeScore(regularizationScore, true, mgr);
            INDArray gradOfMerged = backward(o, null);
            epsilon = exchange.scatterFromA(last, 0, gradOfMerged, outputWidthA);
        } else {
            exchange.gatherToA(last, 1, x);
            epsilon = exchange.scatterFromA(last, 1, null, x.size(1));
        }
        for (int i = steps.size() - 1; i >= 0; i--) {
            epsilon = backward(i, epsilon);
            ColumnPlan.Step s = steps.get(i);
            if (s.source() == ColumnPlan.Source.EXCHANGE) {
                epsilon = exchange.reduceScatter(s.point(), index, epsilon, inputWidths.get(i));
            }
        }
        return loss;
    }

    /** Releases the activations each layer kept for its backward pass. */
    void clear() {
        for (Layer l : layers) {
            l.clear();
        }
    }

    private INDArray forward(int i, INDArray x, INDArray image) throws InterruptedException {
        ColumnPlan.Step s = steps.get(i);
        if (s.source() == ColumnPlan.Source.IMAGE) {
            x = image;
        } else if (s.source() == ColumnPlan.Source.EXCHANGE) {
            long ownWidth = x.size(1);
            x = exchange.allGather(s.point(), index, x);
            // the width of column A's part of the merged input, for splitting its gradient later
            inputWidths.set(i, index == 0 ? ownWidth : x.size(1) - ownWidth);
        }
        setInput(i, x);
        return layers.get(i).activate(true, mgr);
    }

    private void setInput(int i, INDArray x) {
        InputPreProcessor p = preProcessors.get(i);
        layers.get(i).setInput(p == null ? x : p.preProcess(x, batchSize, mgr), mgr);
    }

    /** Backward through step i: fills its gradient views and returns the gradient of its input. */
    private INDArray backward(int i, INDArray epsilon) {
        Pair<Gradient, INDArray> pair = layers.get(i).backpropGradient(epsilon, mgr);
        InputPreProcessor p = preProcessors.get(i);
        return p == null ? pair.getSecond() : p.backprop(pair.getSecond(), batchSize, mgr);
    }
}
