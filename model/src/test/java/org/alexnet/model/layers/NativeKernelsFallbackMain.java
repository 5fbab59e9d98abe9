package org.alexnet.model.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Run in a child JVM by {@link NativeKernelsTest}: one LRN forward pass, and which path took it. */
public final class NativeKernelsFallbackMain {
    private NativeKernelsFallbackMain() {
    }

    public static void main(String[] args) {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 7, 3, 3).muli(100);
        INDArray y = LrnMath.forward(x, 2, 5, 1e-4, 0.75).output();
        double diff = y.sub(LrnMath.forwardWithOps(x, 2, 5, 1e-4, 0.75).output()).amaxNumber().doubleValue();
        System.out.println("native=" + NativeKernels.usable(x) + " max diff to ND4J ops " + diff);
    }
}
