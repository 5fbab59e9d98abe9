package org.alexnet.model.columns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The fully connected layers' products through oneDNN's sgemm equal the fp64 product of the same
 * numbers, for every combination of transposes and storage orders of the three arrays, for a
 * result written into a view of a flat vector (the weight gradient's place), for thin
 * (one-example) and square shapes, and overwrite whatever the result held.
 */
class OneDnnGemmTest {

    @Test
    void everyTransposeAndOrderGivesTheProduct() {
        assertTrue(OneDnnLibrary.AVAILABLE, "oneDNN's library (org.bytedeco:dnnl) loads on the CPU backend");
        Nd4j.getRandom().setSeed(11);
        for (long[] mnk : new long[][] {{32, 70, 45}, {1, 9, 16}, {7, 1, 5}, {24, 24, 24}}) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (char oa : new char[] {'c', 'f'}) {
                        for (char ob : new char[] {'c', 'f'}) {
                            for (char oc : new char[] {'c', 'f'}) {
                                check(mnk, ta, tb, oa, ob, oc);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void writesIntoAViewOfAFlatVectorAndNothingElse() {
        Nd4j.getRandom().setSeed(12);
        long k = 13;
        long n = 20;
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, k);
        INDArray dz = Nd4j.rand(DataType.FLOAT, 6, n);
        INDArray flat = Nd4j.valueArrayOf(new long[] {3 + k * n + 3}, 123f, DataType.FLOAT);
        // DL4J's dense weight (and gradient) views: [in, out], column-major
        INDArray gradW = flat.get(NDArrayIndex.interval(3, 3 + k * n)).reshape('f', k, n);
        OneDnnGemm.gemm(x, true, dz, false, gradW);
        INDArray expected = x.castTo(DataType.DOUBLE).transpose().mmul(dz.castTo(DataType.DOUBLE));
        assertClose(expected, gradW, "x^T dz into the gradient's view");
        assertTrue(flat.getDouble(2) == 123 && flat.getDouble(3 + k * n) == 123, "nothing written outside the view");
    }

    private static void check(long[] mnk, boolean ta, boolean tb, char oa, char ob, char oc) {
        long m = mnk[0];
        long n = mnk[1];
        long k = mnk[2];
        INDArray a = (ta ? Nd4j.rand(DataType.FLOAT, k, m) : Nd4j.rand(DataType.FLOAT, m, k)).dup(oa).subi(0.5);
        INDArray b = (tb ? Nd4j.rand(DataType.FLOAT, n, k) : Nd4j.rand(DataType.FLOAT, k, n)).dup(ob).subi(0.5);
        INDArray c = Nd4j.valueArrayOf(new long[] {m, n}, Float.NaN, DataType.FLOAT).dup(oc);
        OneDnnGemm.gemm(a, ta, b, tb, c);
        INDArray a64 = a.castTo(DataType.DOUBLE);
        INDArray b64 = b.castTo(DataType.DOUBLE);
        INDArray expected = (ta ? a64.transpose() : a64).mmul(tb ? b64.transpose() : b64);
        assertClose(expected, c, "m n k " + m + " " + n + " " + k + ", transposes " + ta + " " + tb + ", orders " + oa
                + ob + oc);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertEquals(expected.rows(), actual.rows(), what + ": rows");
        assertEquals(expected.columns(), actual.columns(), what + ": columns");
        double worst = 0;
        for (int i = 0; i < expected.rows(); i++) {
            for (int j = 0; j < expected.columns(); j++) {
                worst = Math.max(worst, Math.abs(expected.getDouble(i, j) - actual.getDouble(i, j)));
            }
        }
        // fp32 sums of at most 70 products of numbers below 1 in magnitude
        assertTrue(worst < 1e-5, what + ": largest difference from the fp64 product " + worst);
    }
}
