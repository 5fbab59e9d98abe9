package org.alexnet.model.columns;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.alexnet.model.ClassicalMomentum;
import org.alexnet.model.PaperWeightDecay;
import org.alexnet.model.layers.NativeKernels;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The update DL4J's {@code ComputationGraph.fit} applies (ComputationGraphUpdater, then
 * params -= step), restricted to some layers, so each column updates its own parameters on its
 * own thread and device: per parameter array, divide the summed gradient by the minibatch size,
 * add the weight decay ({@code BEFORE_UPDATER} regularization), run the updater (the project's
 * classical momentum, velocity held in the graph's updater-state vector), subtract. It works on
 * 1-d slices of the graph's flat parameter, gradient and updater-state vectors, as DL4J's
 * updater blocks do; with {@link ClassicalMomentum} (one state value per parameter, element-wise)
 * the state of a parameter sits at the same offset as the parameter itself, which
 * {@link #checkLayout} verifies.
 */
final class ParamUpdate {
    /** Tests only: false forces the ND4J-operation path, to compare it with the fused one. */
    static volatile boolean fusedAllowed = true;

    /** One parameter array: its layer, key, and place in the graph's flat vectors. */
    record Slice(String layer, String key, long offset, long length) {
        /** This parameter array's part of a flat vector (parameters, gradients or momentum): a view. */
        INDArray of(INDArray flat) {
            return flat.get(NDArrayIndex.interval(offset, offset + length));
        }
    }

    private ParamUpdate() {
    }

    /**
     * The slices of the given layers' parameters, in the graph's flattening order (layers in
     * topological order, each layer's parameters in its table's order, as ComputationGraph.init
     * lays them out).
     */
    static List<Slice> slices(ComputationGraph graph, Collection<String> layers) {
        List<Slice> out = new ArrayList<>();
        long offset = 0;
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex v = graph.getVertices()[index];
            if (!v.hasLayer()) {
                continue;
            }
            Layer layer = v.getLayer();
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                long length = p.getValue().length();
                if (layers.contains(v.getVertexName())) {
                    out.add(new Slice(v.getVertexName(), p.getKey(), offset, length));
                }
                offset += length;
            }
        }
        if (offset != graph.numParams()) {
            throw new IllegalStateException("parameter layout: counted " + offset + " of " + graph.numParams());
        }
        return out;
    }

    /**
     * Initialises the graph's updater state as DL4J's first fit would (zeros unless already
     * initialised) and checks that every parameter uses {@link ClassicalMomentum} with the state
     * at the parameter's own offset.
     */
    static void checkLayout(ComputationGraph graph) {
        INDArray state = graph.getUpdater().getStateViewArray();
        if (state == null || state.length() != graph.numParams()) {
            throw new IllegalArgumentException("the column executor needs one updater-state value per parameter "
                    + "(ClassicalMomentum); state length " + (state == null ? 0 : state.length())
                    + " for " + graph.numParams() + " parameters");
        }
        for (UpdaterBlock block : graph.getUpdater().getUpdaterBlocks()) {
            block.init();
            if (block.getParamOffsetStart() != block.getUpdaterViewOffsetStart()
                    || block.getParamOffsetEnd() != block.getUpdaterViewOffsetEnd()) {
                throw new IllegalStateException("updater state is not laid out like the parameters");
            }
            for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                IUpdater u = p.getLayer().getConfig().getUpdaterByParam(p.getParamName());
                if (!(u instanceof ClassicalMomentum)) {
                    throw new IllegalArgumentException("the column executor applies the project's ClassicalMomentum; "
                            + p.getLayer().getConfig().getLayerName() + "." + p.getParamName() + " uses " + u);
                }
            }
        }
    }

    /**
     * Applies one step to the given slices of {@code updated} (the canonical graph or a
     * replica), whose gradient views hold the gradient summed over the minibatch. The updater
     * and regularization settings (learning rate!) are read from the {@code canonical} graph's
     * layers, so a schedule that changes the canonical graph's learning rate reaches every
     * replica.
     */
    static void apply(ComputationGraph updated, ComputationGraph canonical, List<Slice> slices, int batchSize,
                      int iteration, int epoch) {
        INDArray params = FlatVectors.params(updated);
        INDArray gradients = FlatVectors.gradients(updated);
        INDArray state = FlatVectors.momentum(updated);
        boolean fused = fusedAllowed && NativeKernels.usableForUpdate(params, gradients, state);
        for (Slice s : slices) {
            if (fused && fusedStep(canonical, s, params, gradients, state, batchSize, iteration, epoch)) {
                continue;
            }
            INDArray p = s.of(params);
            INDArray g = s.of(gradients);
            INDArray v = s.of(state);
            org.deeplearning4j.nn.api.TrainingConfig layerConf = canonical.getLayer(s.layer()).getConfig();
            IUpdater updater = layerConf.getUpdaterByParam(s.key());
            double lr = updater.hasLearningRate() ? updater.getLearningRate(iteration, epoch) : 1.0;
            g.divi(batchSize);
            regularize(layerConf.getRegularizationByParam(s.key()), Regularization.ApplyStep.BEFORE_UPDATER, p, g, lr,
                    iteration, epoch);
            updater.instantiate(v, false).applyUpdater(g, iteration, epoch);
            regularize(layerConf.getRegularizationByParam(s.key()), Regularization.ApplyStep.POST_UPDATER, p, g, lr,
                    iteration, epoch);
            p.subi(g);
        }
    }

    /**
     * The same step in one pass (NativeKernels.momentumStep) when the array's rules are exactly
     * the project's: ClassicalMomentum after the paper's weight decay (or none).
     *
     * @return false when the rules are anything else (the caller takes the ND4J path)
     */
    private static boolean fusedStep(ComputationGraph canonical, Slice s, INDArray params, INDArray gradients,
                                     INDArray state, int batchSize, int iteration, int epoch) {
        org.deeplearning4j.nn.api.TrainingConfig layerConf = canonical.getLayer(s.layer()).getConfig();
        if (!(layerConf.getUpdaterByParam(s.key()) instanceof ClassicalMomentum momentum)) {
            return false;
        }
        double decay = 0;
        List<Regularization> rs = layerConf.getRegularizationByParam(s.key());
        if (rs != null) {
            for (Regularization r : rs) {
                if (!(r instanceof PaperWeightDecay w) || decay != 0) {
                    return false;
                }
                decay = w.getCoefficient();
            }
        }
        NativeKernels.momentumStep(params, gradients, state, s.offset(), s.length(), batchSize, decay,
                momentum.getMomentum(), momentum.getLearningRate(iteration, epoch));
        return true;
    }

    private static void regularize(List<Regularization> rs, Regularization.ApplyStep step, INDArray p, INDArray g,
                                   double lr, int iteration, int epoch) {
        if (rs != null) {
            for (Regularization r : rs) {
                if (r.applyStep() == step) {
                    r.apply(p, g, lr, iteration, epoch);
                }
            }
        }
    }
}
