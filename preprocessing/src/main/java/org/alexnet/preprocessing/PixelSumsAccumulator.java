package org.alexnet.preprocessing;

import java.util.HashSet;
import java.util.Set;
import org.apache.spark.util.AccumulatorV2;

/**
 * Collects each input partition's {@link PixelSums} on the driver in the same pass that writes the
 * images. A partition's sums are counted once even when Spark runs its task again (retry,
 * speculation, a recomputed shuffle stage): contributions are keyed by partition index, and a
 * partition's images and sums are deterministic, so a repeat is simply ignored.
 */
final class PixelSumsAccumulator extends AccumulatorV2<PixelSumsAccumulator.PartitionSums, PixelSums> {
    private static final long serialVersionUID = 1L;

    /** The complete sums of one input partition. */
    record PartitionSums(int partition, PixelSums sums) implements java.io.Serializable {
    }

    private PixelSums total = new PixelSums();
    private final Set<Integer> partitions = new HashSet<>();

    @Override
    public boolean isZero() {
        return partitions.isEmpty();
    }

    @Override
    public AccumulatorV2<PartitionSums, PixelSums> copy() {
        PixelSumsAccumulator c = new PixelSumsAccumulator();
        c.total = total.copy();
        c.partitions.addAll(partitions);
        return c;
    }

    @Override
    public void reset() {
        total = new PixelSums();
        partitions.clear();
    }

    @Override
    public void add(PartitionSums v) {
        if (partitions.add(v.partition())) {
            total.merge(v.sums());
        }
    }

    @Override
    public void merge(AccumulatorV2<PartitionSums, PixelSums> other) {
        PixelSumsAccumulator o = (PixelSumsAccumulator) other;
        if (partitions.containsAll(o.partitions)) {
            return;                        // a repeated task: already counted
        }
        for (Integer p : o.partitions) {
            if (partitions.contains(p)) {
                throw new IllegalStateException("overlapping partial pixel sums for partition " + p);
            }
        }
        partitions.addAll(o.partitions);
        total.merge(o.total);
    }

    @Override
    public PixelSums value() {
        return total;
    }

    /** How many input partitions have contributed. */
    int partitionsCounted() {
        return partitions.size();
    }
}
