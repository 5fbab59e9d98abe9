package org.alexnet.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.LocalResponseNormalization;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The graph-side LRN layer: {@link LrnMath} forward and exact backward, never a platform or
 * cuDNN helper (whose alpha convention and derivative differ), so the single graph, the column
 * executor and every backend compute the same model.
 */
public class ExactLrnLayer extends LocalResponseNormalization {
    public ExactLrnLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        INDArray out;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            out = forward().output();
        }
        return mgr.leverageTo(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray grad;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            org.deeplearning4j.nn.conf.layers.LocalResponseNormalization c = layerConf();
            grad = LrnMath.backward(input, forward(), epsilon, (int) c.getN(), c.getAlpha(), c.getBeta());
        }
        return new Pair<>(new DefaultGradient(), mgr.leverageTo(ArrayType.ACTIVATION_GRAD, grad));
    }

    private LrnMath.Forward forward() {
        org.deeplearning4j.nn.conf.layers.LocalResponseNormalization c = layerConf();
        return LrnMath.forward(input, c.getK(), (int) c.getN(), c.getAlpha(), c.getBeta());
    }
}
