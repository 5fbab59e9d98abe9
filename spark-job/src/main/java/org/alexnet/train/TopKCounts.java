package org.alexnet.train;

import java.io.Serializable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Top-1 and top-5 hits and the summed cross-entropy over evaluated examples; mergeable across tasks. */
public final class TopKCounts implements Serializable {
    private static final long serialVersionUID = 1L;

    private long examples;
    private long top1;
    private long top5;
    private double lossSum;

    /**
     * Counts one minibatch.
     *
     * @param probabilities [batch, classes] softmax outputs (averaged over views for 10-crop)
     * @param labels        the true class of each row
     */
    public void add(INDArray probabilities, int[] labels) {
        float[] p = probabilities.castTo(DataType.FLOAT).ravel().toFloatVector(); // row-major [batch * classes]
        int classes = (int) probabilities.size(1);
        for (int row = 0; row < labels.length; row++) {
            int offset = row * classes;
            float truth = p[offset + labels[row]];
            int higher = 0; // classes ranked strictly above the true one
            for (int c = 0; c < classes; c++) {
                if (p[offset + c] > truth) {
                    higher++;
                }
            }
            top1 += higher == 0 ? 1 : 0;
            top5 += higher < 5 ? 1 : 0;
            lossSum += -Math.log(Math.max(truth, 1e-30));
            examples++;
        }
    }

    public TopKCounts merge(TopKCounts o) {
        examples += o.examples;
        top1 += o.top1;
        top5 += o.top5;
        lossSum += o.lossSum;
        return this;
    }

    public long examples() {
        return examples;
    }

    /** Top-1 error in [0, 1]. */
    public double top1Error() {
        return examples == 0 ? Double.NaN : 1.0 - (double) top1 / examples;
    }

    /** Top-5 error in [0, 1]. */
    public double top5Error() {
        return examples == 0 ? Double.NaN : 1.0 - (double) top5 / examples;
    }

    public double meanLoss() {
        return examples == 0 ? Double.NaN : lossSum / examples;
    }

    @Override
    public String toString() {
        return String.format("top-1 error %.2f%%, top-5 error %.2f%%, loss %.4f over %d images",
                100 * top1Error(), 100 * top5Error(), meanLoss(), examples);
    }
}
