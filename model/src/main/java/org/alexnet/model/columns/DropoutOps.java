package org.alexnet.model.columns;

import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout as DL4J's {@link Dropout} applies it while training: keep each unit with
 * probability p and scale the kept ones by 1/p; the mask comes from the calling (column)
 * thread's ND4J random generator, so each column draws its own.
 */
final class DropoutOps implements LayerOps {
    private final double retain;
    private INDArray mask;

    DropoutOps(IDropout dropout) {
        if (!(dropout instanceof Dropout d) || d.getPSchedule() != null) {
            throw new IllegalArgumentException("dropout ops: plain Dropout with a fixed probability expected, got " + dropout);
        }
        this.retain = d.getP();
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        if (!training) {
            mask = null;
            return x;
        }
        mask = Nd4j.createUninitialized(x.dataType(), x.shape());
        Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, retain), Nd4j.getRandom());
        mask.divi(retain);
        return x.mul(mask);
    }

    @Override
    public INDArray backward(INDArray epsilon) {
        return mask == null ? epsilon : epsilon.mul(mask);
    }

    @Override
    public void clear() {
        mask = null;
    }
}
