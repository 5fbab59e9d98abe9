package org.alexnet.model.columns;

import org.alexnet.model.layers.LrnMath;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Local response normalisation with its exact derivative ({@link LrnMath}, as the graph's layer computes it). */
final class LrnOps implements LayerOps {
    private final double k;
    private final int n;
    private final double alpha;
    private final double beta;
    private INDArray input;
    private LrnMath.Forward forward;

    LrnOps(LocalResponseNormalization c) {
        this.k = c.getK();
        this.n = (int) c.getN();
        this.alpha = c.getAlpha();
        this.beta = c.getBeta();
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        input = x;
        forward = LrnMath.forward(x, k, n, alpha, beta);
        return forward.output();
    }

    @Override
    public INDArray backward(INDArray epsilon) {
        return LrnMath.backward(input, forward, epsilon, n, alpha, beta);
    }

    @Override
    public void clear() {
        input = null;
        forward = null;
    }
}
