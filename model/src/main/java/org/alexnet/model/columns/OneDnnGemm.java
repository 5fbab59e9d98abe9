package org.alexnet.model.columns;

import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fully connected layers' matrix products, {@code c = op(a) op(b)}, through oneDNN's own
 * {@code dnnl_sgemm} rather than ND4J's {@code Nd4j.gemm}. With the paper's minibatch of 128 split
 * into 32-image steps the products are thin (32 rows against 9216 x 2048 weights), and
 * {@code Nd4j.gemm} runs them at a third to a half of a core's peak; dnnl_sgemm, on the same
 * arrays and one thread, takes 14.6 ms instead of 30 for fc6's weight gradient and 18-19 instead
 * of 22-23 for its forward and input-gradient products (docs/performance.md).
 *
 * <p>Works on dense 2-d fp32 arrays in either order (a column-major array is the row-major
 * transpose, so it costs no copy: DL4J's [in, out] weights are column-major), writes c in place
 * (a view such as the gradient's part of the flat vector included) and runs on the calling
 * thread's OpenMP team, so each column keeps its own core. Elsewhere (another backend, fp64,
 * strided views, the library missing) it is exactly {@code Nd4j.gemm}.
 */
final class OneDnnGemm {
    /** Set to true to compute the fully connected products with Nd4j.gemm, to compare the two. */
    static final String DISABLE_PROPERTY = "alexnet.onednn-gemm.disable";
    private static final boolean ENABLED = OneDnnLibrary.enabledUnless(DISABLE_PROPERTY, OneDnnGemm.class,
            "the fully connected products run on Nd4j.gemm");

    private OneDnnGemm() {
    }

    /** c = op(a) op(b), with op the transpose when asked; c's previous contents are overwritten. */
    static void gemm(INDArray a, boolean transposeA, INDArray b, boolean transposeB, INDArray c) {
        Layout la = ENABLED ? Layout.of(a) : null;
        Layout lb = ENABLED ? Layout.of(b) : null;
        Layout lc = ENABLED ? Layout.of(c) : null;
        if (la == null || lb == null || lc == null) {
            Nd4j.gemm(a, b, c, transposeA, transposeB, 1.0, 0.0);
            return;
        }
        long m = c.size(0);
        long n = c.size(1);
        long k = transposeA ? a.size(0) : a.size(1);
        if (lc.columnMajor) {
            // c column-major is c^T row-major: c^T = op(b)^T op(a)^T
            sgemm(lb, !transposeB, la, !transposeA, n, m, k, lc);
        } else {
            sgemm(la, transposeA, lb, transposeB, m, n, k, lc);
        }
    }

    /** Whether {@link #rowMajor} can run (oneDNN's library loaded and not switched off). */
    static boolean available() {
        return ENABLED;
    }

    /**
     * Row-major C[m, n] = op(A)[m, k] op(B)[k, n] on matrices that start {@code aAt}, {@code bAt},
     * {@code cAt} elements into dense fp32 arrays (e.g. one of a batch of products), with leading
     * dimensions lda, ldb, ldc; only when {@link #available}.
     */
    static void rowMajor(boolean transposeA, boolean transposeB, long m, long n, long k, INDArray a, long aAt, long lda,
            INDArray b, long bAt, long ldb, INDArray c, long cAt, long ldc) {
        sgemm(new Layout(elements(a, aAt, span(m, k, lda, transposeA)), false, lda), transposeA,
                new Layout(elements(b, bAt, span(k, n, ldb, transposeB)), false, ldb), transposeB, m, n, k,
                new Layout(elements(c, cAt, span(m, n, ldc, false)), false, ldc));
    }

    /** The elements a row-major [rows, cols] matrix (stored transposed when asked) spans with this leading dimension. */
    private static long span(long rows, long cols, long leading, boolean transposed) {
        long stored = transposed ? cols : rows;
        long run = transposed ? rows : cols;
        return stored == 0 ? 0 : (stored - 1) * leading + run;
    }

    /** A pointer {@code at} elements into a dense fp32 array that holds at least {@code count} more. */
    private static FloatPointer elements(INDArray x, long at, long count) {
        if (x.dataType() != DataType.FLOAT || at < 0 || at + count > x.length() || x.elementWiseStride() != 1) {
            throw new IllegalArgumentException("a dense fp32 array of at least " + (at + count) + " elements expected");
        }
        return new FloatPointer(OneDnnLibrary.at(x)).position(at);
    }

    /** Row-major C[m, n] = op(A)[m, k] op(B)[k, n], each operand as stored. */
    private static void sgemm(Layout a, boolean transposeA, Layout b, boolean transposeB, long m, long n, long k,
            Layout c) {
        // a column-major operand is the row-major transpose of itself
        boolean ta = transposeA != a.columnMajor;
        boolean tb = transposeB != b.columnMajor;
        int status = dnnl.dnnl_sgemm((byte) (ta ? 'T' : 'N'), (byte) (tb ? 'T' : 'N'), m, n, k, 1f, a.data, a.leading,
                b.data, b.leading, 0f, c.data, c.leading);
        if (status != dnnl.dnnl_success) {
            throw new IllegalStateException("dnnl_sgemm failed with status " + status + " (m " + m + ", n " + n + ", k "
                    + k + ")");
        }
    }

    /** A dense 2-d fp32 array as BLAS sees it: its data, whether it is column-major, its leading dimension. */
    private record Layout(FloatPointer data, boolean columnMajor, long leading) {
        /** The array's layout, or null when it is not a 2-d fp32 array with unit stride along one dimension. */
        static Layout of(INDArray x) {
            if (x.rank() != 2 || x.dataType() != DataType.FLOAT) {
                return null;
            }
            long rows = x.size(0);
            long cols = x.size(1);
            // a dimension of size 1 has no stride that matters
            if ((cols == 1 || x.stride(1) == 1) && (rows == 1 || x.stride(0) >= cols)) {
                return new Layout(pointer(x), false, rows == 1 ? cols : x.stride(0));
            }
            if ((rows == 1 || x.stride(0) == 1) && (cols == 1 || x.stride(1) >= rows)) {
                return new Layout(pointer(x), true, cols == 1 ? rows : x.stride(1));
            }
            return null;
        }

        private static FloatPointer pointer(INDArray x) {
            return new FloatPointer(OneDnnLibrary.at(x));
        }
    }

}
