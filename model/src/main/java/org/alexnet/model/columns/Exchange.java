package org.alexnet.model.columns;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Exchanger;
import java.util.concurrent.atomic.AtomicLong;
import org.alexnet.model.layers.NativeKernels;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The only place where the two columns talk: the inputs of conv3, fc6, fc7 and fc8 on the way
 * forward, and the matching input gradients on the way back. Every array that crosses from one
 * column to the other goes through {@link #transfer}, which copies it to the receiving column's
 * device (nothing to copy when both columns share a device or on the CPU backend) and counts it,
 * so a test can assert exactly which exchanges a training step makes.
 *
 * <p>Each method is called by BOTH column threads at the same point of the step; the two calls
 * meet in a {@link Exchanger} (one per exchange point and direction).
 */
public final class Exchange {
    /** Direction of an exchange. */
    public enum Pass { FORWARD, BACKWARD }

    private final int[] devices;
    private final boolean copyAcrossDevices;
    private final Map<String, Exchanger<INDArray>> meetings = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AtomicLong bytesCopied = new AtomicLong();

    /**
     * @param devices            device of column A and of column B
     * @param copyAcrossDevices  false on the CPU backend, whose arrays every thread can read
     */
    Exchange(int[] devices, boolean copyAcrossDevices) {
        this.devices = devices.clone();
        this.copyAcrossDevices = copyAcrossDevices;
    }

    /**
     * Forward, both columns to both: each column gives its own activations and gets both
     * columns' activations concatenated along the feature/channel axis (column A's first, as the
     * canonical graph's merge vertex orders them), on its own device.
     */
    INDArray allGather(String point, int column, INDArray own) throws InterruptedException {
        INDArray other = meet(point, Pass.FORWARD, column, own);
        return column == 0 ? Nd4j.concat(1, own, other) : Nd4j.concat(1, other, own);
    }

    /**
     * Forward, both columns to column A (fc8 lives there): column A gets the concatenation,
     * column B gets null.
     */
    INDArray gatherToA(String point, int column, INDArray own) throws InterruptedException {
        INDArray other = meetOneWay(point, Pass.FORWARD, column, column == 1 ? own : null, 1);
        return column == 0 ? Nd4j.concat(1, own, other) : null;
    }

    /**
     * Backward of {@link #gatherToA}: column A splits the gradient of the concatenated input and
     * sends column B its part; each column returns the gradient of its own activations.
     *
     * @param concatenated the gradient of the concatenated input (column A), ignored for column B
     * @param ownWidth     the width of this column's part along axis 1
     */
    INDArray scatterFromA(String point, int column, INDArray concatenated, long ownWidth)
            throws InterruptedException {
        INDArray toB = column == 0 ? part(concatenated, ownWidth, concatenated.size(1)) : null;
        INDArray received = meetOneWay(point, Pass.BACKWARD, column, toB, 0);
        return column == 0 ? part(concatenated, 0, ownWidth) : received;
    }

    /**
     * Backward of {@link #allGather}: each column's layer produced the gradient of the whole
     * concatenated input; the part that belongs to the other column is sent there, and each
     * column's activations get the SUM of both columns' contributions (as in the canonical graph,
     * where the merged activations feed both columns' next layers).
     */
    INDArray reduceScatter(String point, int column, INDArray concatenated, long widthA) throws InterruptedException {
        long width = concatenated.size(1);
        INDArray ownPart = column == 0 ? part(concatenated, 0, widthA) : part(concatenated, widthA, width);
        INDArray otherPart = column == 0 ? part(concatenated, widthA, width) : part(concatenated, 0, widthA);
        INDArray fromOther = meet(point, Pass.BACKWARD, column, otherPart);
        INDArray sum = NativeKernels.addSlices(ownPart, fromOther); // one pass in C on the CPU backend
        return sum != null ? sum : ownPart.add(fromOther);
    }

    /** Exchanges completed since construction or {@link #resetCounts}, by "point pass A->B". */
    public Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Total exchanges since construction or {@link #resetCounts}. */
    public long total() {
        return counts.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Bytes copied between devices (0 when both columns share a device). */
    public long bytesCopied() {
        return bytesCopied.get();
    }

    /** Zeroes the counters. */
    public void resetCounts() {
        counts.clear();
        bytesCopied.set(0);
    }

    /** Both columns give an array and get the other's. */
    private INDArray meet(String point, Pass pass, int column, INDArray give) throws InterruptedException {
        INDArray got = meeting(point, pass).exchange(outOfWorkspace(give));
        return transfer(point, pass, 1 - column, column, got);
    }

    /** Only column {@code from} gives an array; the other column receives it, the giver gets null. */
    private INDArray meetOneWay(String point, Pass pass, int column, INDArray give, int from)
            throws InterruptedException {
        INDArray got = meeting(point, pass).exchange(give == null ? null : outOfWorkspace(give));
        return column == from ? null : transfer(point, pass, from, column, got);
    }

    /**
     * What a column sends must outlive its own step: each column computes in a workspace of its
     * own thread ({@link StepMemory}), which it closes when its step ends, possibly before the
     * other column has read the array. A few MB per step are copied out.
     */
    private static INDArray outOfWorkspace(INDArray a) {
        if (!a.isAttached()) {
            return a;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return a.dup();
        }
    }

    private Exchanger<INDArray> meeting(String point, Pass pass) {
        return meetings.computeIfAbsent(point + " " + pass, k -> new Exchanger<>());
    }

    /** The one cross-column transfer: onto the receiver's device, counted. */
    private INDArray transfer(String point, Pass pass, int from, int to, INDArray array) {
        if (array == null) {
            throw new IllegalStateException("column " + name(from) + " sent nothing at " + point + " " + pass);
        }
        counts.computeIfAbsent(key(point, pass, from, to), k -> new AtomicLong()).incrementAndGet();
        if (!copyAcrossDevices || devices[from] == devices[to]) {
            return array;
        }
        bytesCopied.addAndGet(array.length() * array.dataType().width());
        return Nd4j.getAffinityManager().replicateToDevice(devices[to], array);
    }

    /** The count key of one exchange, e.g. "fc6 FORWARD A->B". */
    public static String key(String point, Pass pass, int from, int to) {
        return point + " " + pass + " " + name(from) + "->" + name(to);
    }

    private static String name(int column) {
        return column == 0 ? "A" : "B";
    }

    /** The slice [from, to) along axis 1 of a 2-d or 4-d array (a view). */
    private static INDArray part(INDArray a, long from, long to) {
        INDArrayIndex[] index = new INDArrayIndex[a.rank()];
        for (int i = 0; i < index.length; i++) {
            index[i] = NDArrayIndex.all();
        }
        index[1] = NDArrayIndex.interval(from, to);
        return a.get(index);
    }
}
