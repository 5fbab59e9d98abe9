package org.alexnet.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.alexnet.archive.FilePublisher;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Per-epoch metrics: {@code metrics.jsonl} (one JSON object per epoch, snake_case keys) and
 * {@code curves.png} (training and validation loss; top-1 and top-5 validation error, per epoch),
 * both rewritten every epoch on the output FileSystem. The history travels in checkpoints
 * ({@link ResumeState}) so a resumed run keeps its curves.
 */
public final class MetricsLog {
    /** metrics.jsonl's form: the record's components in snake_case ("train_loss", "top1_error"). */
    private static final ObjectMapper JSONL = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /** One epoch's figures. */
    public record Epoch(int epoch, double trainLoss, double valLoss, double top1Error, double top5Error,
                        double learningRate, long images, double seconds) {
        String json() {
            try {
                return JSONL.writeValueAsString(this);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** One line of metrics.jsonl. */
        public static Epoch parse(String json) {
            try {
                return JSONL.readValue(json, Epoch.class);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("not a line of metrics.jsonl: " + json, e);
            }
        }
    }

    private final FileSystem fs;
    private final Path output;
    private final List<Epoch> epochs = new ArrayList<>();

    public MetricsLog(FileSystem fs, Path output) {
        this.fs = fs;
        this.output = output;
    }

    public List<Epoch> epochs() {
        return List.copyOf(epochs);
    }

    /** The history as metrics.jsonl's text. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        epochs.forEach(e -> sb.append(e.json()).append('\n'));
        return sb.toString();
    }

    /** Restores a history (from a checkpoint). */
    public void restore(List<Epoch> history) {
        epochs.clear();
        epochs.addAll(history);
    }

    /** Records an epoch and rewrites metrics.jsonl and curves.png. */
    public void add(Epoch e) throws IOException {
        epochs.add(e);
        write("metrics.jsonl", toText().getBytes(StandardCharsets.UTF_8));
        write("curves.png", png());
    }

    private void write(String name, byte[] bytes) throws IOException {
        FilePublisher.publish(fs, new Path(output, name), bytes);
    }

    /** Two panels over one epoch axis: training and validation loss; top-1 and top-5 validation error (%). */
    byte[] png() throws IOException {
        NumberAxis epochAxis = new NumberAxis("epoch");
        epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        epochAxis.setAutoRangeIncludesZero(false);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochAxis);
        plot.setGap(12);
        plot.add(panel("loss", series("train loss", Epoch::trainLoss), series("validation loss", Epoch::valLoss)), 1);
        plot.add(panel("validation error %", series("top-1", e -> 100 * e.top1Error()),
                series("top-5", e -> 100 * e.top5Error())), 1);
        JFreeChart chart = new JFreeChart("training curves", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(out, chart, 900, 640);
        return out.toByteArray();
    }

    private XYSeries series(String name, ToDoubleFunction<Epoch> value) {
        XYSeries s = new XYSeries(name);
        for (Epoch e : epochs) {
            double v = value.applyAsDouble(e);
            if (Double.isFinite(v)) {
                s.add(e.epoch(), v);
            }
        }
        return s;
    }

    private static XYPlot panel(String label, XYSeries first, XYSeries second) {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(first);
        data.addSeries(second);
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(true);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
        lines.setSeriesStroke(0, new BasicStroke(2f));
        lines.setSeriesStroke(1, new BasicStroke(2f));
        XYPlot plot = new XYPlot(data, null, axis, lines);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }
}
