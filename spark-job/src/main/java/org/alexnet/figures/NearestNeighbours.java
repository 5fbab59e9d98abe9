package org.alexnet.figures;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The k rows nearest to each of a few query vectors by Euclidean distance, over a DataFrame of
 * feature vectors, on Spark: the queries are broadcast, each task keeps a bounded max-heap of
 * its k nearest per query, and only those (key and distance, not features or images) reach the
 * driver, which merges them. Ties go to the smaller key, so the answer does not depend on the
 * partitioning.
 */
public final class NearestNeighbours {
    /** One neighbour of query {@code query}. */
    public record Neighbour(int query, String key, int label, double distance) implements Serializable {
    }

    /** Farther first; at equal distance the larger key first (the one to drop). */
    private static final Comparator<Neighbour> WORST_FIRST = Comparator.comparingDouble(Neighbour::distance)
            .thenComparing(Neighbour::key).reversed();

    private NearestNeighbours() {
    }

    /**
     * @param rows     rows with a string key, an int label and a Spark ML Vector of features (null rows skipped)
     * @param queries  the query vectors, each as long as the features
     * @return per query, its k nearest rows, nearest first
     */
    public static List<List<Neighbour>> find(Dataset<Row> rows, String keyCol, String labelCol, String featuresCol,
                                             double[][] queries, int k) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(rows.sparkSession().sparkContext());
        Broadcast<double[][]> q = sc.broadcast(queries);
        try {
            List<Neighbour> candidates = rows.select(keyCol, labelCol, featuresCol).javaRDD()
                    .mapPartitions(part -> nearestInPartition(part, q.value(), k).iterator())
                    .collect();
            List<List<Neighbour>> out = new ArrayList<>();
            for (int i = 0; i < queries.length; i++) {
                int query = i;
                out.add(candidates.stream().filter(n -> n.query() == query)
                        .sorted(WORST_FIRST.reversed()).limit(k).toList());
            }
            return out;
        } finally {
            q.destroy();
        }
    }

    static List<Neighbour> nearestInPartition(java.util.Iterator<Row> rows, double[][] queries, int k) {
        List<PriorityQueue<Neighbour>> heaps = new ArrayList<>();
        for (int i = 0; i < queries.length; i++) {
            heaps.add(new PriorityQueue<>(WORST_FIRST));
        }
        while (rows.hasNext()) {
            Row r = rows.next();
            if (r.isNullAt(2)) {
                continue; // an unreadable image has no features
            }
            double[] f = ((Vector) r.get(2)).toArray();
            for (int i = 0; i < queries.length; i++) {
                Neighbour n = new Neighbour(i, r.getString(0), r.isNullAt(1) ? -1 : r.getInt(1),
                        Math.sqrt(squaredDistance(queries[i], f)));
                PriorityQueue<Neighbour> heap = heaps.get(i);
                if (heap.size() < k) {
                    heap.add(n);
                } else if (WORST_FIRST.compare(n, heap.peek()) > 0) {
                    heap.poll();
                    heap.add(n);
                }
            }
        }
        List<Neighbour> out = new ArrayList<>();
        heaps.forEach(out::addAll);
        return out;
    }

    static double squaredDistance(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("feature vectors of " + a.length + " and " + b.length + " values");
        }
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }
}
