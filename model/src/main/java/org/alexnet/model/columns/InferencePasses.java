package org.alexnet.model.columns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Inference on a batch of any size in passes of bounded size, so memory stays bounded however
 * many images a caller hands over at once (10-view evaluation hands over batch x 10 views).
 */
final class InferencePasses {
    private InferencePasses() {
    }

    /**
     * Runs {@code pass} on consecutive slices of at most {@code maxImages} images and joins each
     * output along dimension 0, in order; a batch that fits goes through in one pass.
     *
     * @param pass one pass: images [n, ...] to named outputs [n, ...]
     */
    static Map<String, INDArray> run(INDArray images, int maxImages, Function<INDArray, Map<String, INDArray>> pass) {
        long n = images.size(0);
        if (n <= maxImages) {
            return pass.apply(images);
        }
        Map<String, List<INDArray>> parts = new LinkedHashMap<>();
        for (long from = 0; from < n; from += maxImages) {
            INDArray slice = images.get(NDArrayIndex.interval(from, Math.min(n, from + maxImages))).dup();
            pass.apply(slice).forEach((k, v) -> parts.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        Map<String, INDArray> joined = new LinkedHashMap<>();
        parts.forEach((k, v) -> joined.put(k, Nd4j.concat(0, v.toArray(new INDArray[0]))));
        return joined;
    }
}
