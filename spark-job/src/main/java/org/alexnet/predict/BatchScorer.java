package org.alexnet.predict;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;
import org.alexnet.archive.ClassName;
import org.alexnet.archive.ModelArchive;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.train.TaskDevices;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scores one partition of rows: reads batches of {@code batchSize} rows, turns each image into
 * views on this thread, runs the batch through a replica of the model borrowed from this JVM's
 * {@link InferenceModels} (returned when the partition ends, or when the task does), and emits
 * each input row with the top-k, features and error columns appended. Rows stream through: a
 * partition is never held whole. An image that cannot be read gets null results and its reason.
 */
final class BatchScorer implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final ScoringSettings settings;

    BatchScorer(ScoringSettings settings) {
        this.settings = settings;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new Scored(rows, settings);
    }

    /** The partition's rows with their results, a batch at a time. */
    private static final class Scored implements Iterator<Row> {
        private final Iterator<Row> input;
        private final ScoringSettings s;
        private final Deque<Row> ready = new ArrayDeque<>();
        private final List<Integer> devices = TaskDevices.current();
        private InferenceModel model;
        private ImageViews views;
        private List<ClassName> classes;

        Scored(Iterator<Row> input, ScoringSettings s) {
            this.input = input;
            this.s = s;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && input.hasNext()) {
                scoreNextBatch();
            }
            if (ready.isEmpty()) {
                release();
            }
            return !ready.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.pop();
        }

        private void scoreNextBatch() {
            acquire();
            List<Row> batch = new ArrayList<>();
            List<float[]> good = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            while (batch.size() < s.batchSize() && input.hasNext()) {
                Row row = input.next();
                batch.add(row);
                try {
                    good.add(views.views(row, s.imageField()));
                    errors.add(null);
                } catch (ImageViews.Unreadable e) {
                    if (s.handleInvalid().equals(ScoringSettings.ERROR)) {
                        throw new IllegalStateException("an unreadable image (handleInvalid=error; 'keep' or 'skip' "
                                + "go on): " + e.getMessage());
                    }
                    errors.add(e.getMessage());
                }
            }
            INDArray[] results = good.isEmpty() ? null : infer(good);
            int next = 0;
            for (int i = 0; i < batch.size(); i++) {
                String error = errors.get(i);
                if (error != null && s.handleInvalid().equals(ScoringSettings.SKIP)) {
                    continue;
                }
                ready.add(withResults(batch.get(i), error == null ? results : null, error == null ? next++ : -1, error));
            }
        }

        private INDArray[] infer(List<float[]> images) {
            int side = model.config().inputSize();
            int viewLength = 3 * side * side * views.viewsPerImage();
            float[] all = new float[images.size() * viewLength];
            for (int i = 0; i < images.size(); i++) {
                System.arraycopy(images.get(i), 0, all, i * viewLength, viewLength);
            }
            INDArray input = Nd4j.create(all, new long[] {(long) images.size() * views.viewsPerImage(), 3, side, side});
            return model.infer(input, views.viewsPerImage(), s.features());
        }

        /** The input row's values, then top-k (if asked), features (if asked) and the error. */
        private Row withResults(Row row, INDArray[] results, int index, String error) {
            int extra = (s.topK() > 0 ? 1 : 0) + (s.features() ? 1 : 0) + 1;
            Object[] values = new Object[row.size() + extra];
            for (int i = 0; i < row.size(); i++) {
                values[i] = row.get(i);
            }
            int at = row.size();
            if (s.topK() > 0) {
                values[at++] = results == null ? null : topK(results[0].getRow(index).toDoubleVector());
            }
            if (s.features()) {
                values[at++] = results == null ? null : Vectors.dense(results[1].getRow(index).toDoubleVector());
            }
            values[at] = error;
            return RowFactory.create(values);
        }

        private Row[] topK(double[] p) {
            return IntStream.range(0, p.length).boxed()
                    .sorted((a, b) -> Double.compare(p[b], p[a]))
                    .limit(s.topK())
                    .map(i -> RowFactory.create(i, classes.get(i).wnid(), classes.get(i).name(), p[i]))
                    .toArray(Row[]::new);
        }

        /** Borrows this JVM's replica of the model on first use; the task's end returns it. */
        private void acquire() {
            if (model != null) {
                return;
            }
            try {
                ModelArchive archive = InferenceModels.archive(s.model(), s.hadoopConf().get());
                AlexNetConfig config = archive.model();
                classes = archive.classes();
                views = new ImageViews(config, archive.stats(), s.kind(), s.tenCrop());
                model = InferenceModels.borrow(s.model(), s.hadoopConf().get(), devices);
            } catch (IOException e) {
                throw new IllegalStateException("cannot load the model " + s.model().path() + ": " + e.getMessage(), e);
            }
            TaskContext task = TaskContext.get();
            if (task != null) {
                task.addTaskCompletionListener((TaskCompletionListener) context -> release());
            }
        }

        private synchronized void release() {
            if (model != null) {
                InferenceModels.giveBack(s.model(), devices, model);
                model = null;
            }
        }
    }
}
