package org.alexnet.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.alexnet.archive.FilePublisher;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Per-epoch metrics: {@code metrics.jsonl} (one JSON object per epoch) and {@code curves.png}
 * (training loss, top-1 and top-5 validation error per epoch), both rewritten every epoch on the
 * output FileSystem. The history travels in checkpoints ({@link ResumeState}) so a resumed run
 * keeps its curves.
 */
public final class MetricsLog {
    /** One epoch's figures. */
    public record Epoch(int epoch, double trainLoss, double valLoss, double top1Error, double top5Error,
                        double learningRate, long images, double seconds) {
        String json() {
            return String.format(Locale.ROOT, "{\"epoch\":%d,\"train_loss\":%.6f,\"val_loss\":%.6f,\"top1_error\":%.6f,"
                            + "\"top5_error\":%.6f,\"learning_rate\":%s,\"images\":%d,\"seconds\":%.3f}",
                    epoch, trainLoss, valLoss, top1Error, top5Error, learningRate, images, seconds);
        }

        static Epoch parse(String json) {
            Map<String, String> f = new java.util.HashMap<>();
            for (String part : json.replaceAll("[{}\"]", "").split(",")) {
                String[] kv = part.split(":", 2);
                f.put(kv[0].trim(), kv[1].trim());
            }
            return new Epoch(Integer.parseInt(f.get("epoch")), Double.parseDouble(f.get("train_loss")),
                    Double.parseDouble(f.get("val_loss")), Double.parseDouble(f.get("top1_error")),
                    Double.parseDouble(f.get("top5_error")), Double.parseDouble(f.get("learning_rate")),
                    Long.parseLong(f.get("images")), Double.parseDouble(f.get("seconds")));
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

    /** Two panels: training and validation loss; top-1 and top-5 validation error (%). */
    byte[] png() throws IOException {
        int w = 900;
        int h = 420;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        panel(g, 10, "loss per epoch", List.of(
                new Series("train loss", new Color(31, 119, 180), epochs.stream().mapToDouble(Epoch::trainLoss).toArray()),
                new Series("val loss", new Color(255, 127, 14), epochs.stream().mapToDouble(Epoch::valLoss).toArray())));
        panel(g, 460, "validation error % per epoch", List.of(
                new Series("top-1", new Color(214, 39, 40), epochs.stream().mapToDouble(e -> 100 * e.top1Error()).toArray()),
                new Series("top-5", new Color(44, 160, 44), epochs.stream().mapToDouble(e -> 100 * e.top5Error()).toArray())));
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private record Series(String name, Color color, double[] values) {
    }

    private void panel(Graphics2D g, int x0, String title, List<Series> series) {
        int left = x0 + 50;
        int top = 40;
        int width = 370;
        int height = 320;
        double max = series.stream().flatMapToDouble(s -> java.util.Arrays.stream(s.values()))
                .filter(Double::isFinite).max().orElse(1);
        max = max <= 0 ? 1 : max * 1.05;
        int n = epochs.size();
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawString(title, left, top - 15);
        g.drawString("epoch", left + width / 2 - 15, top + height + 32);
        g.drawRect(left, top, width, height);
        for (int i = 0; i <= 4; i++) {
            int y = top + height - i * height / 4;
            g.drawString(String.format(Locale.ROOT, "%.3g", max * i / 4), x0, y + 4);
        }
        for (int i = 0; i < n; i++) {
            int x = left + (n == 1 ? width / 2 : i * width / (n - 1));
            if (n <= 20 || i % (n / 10 + 1) == 0) {
                g.drawString(Integer.toString(epochs.get(i).epoch()), x - 4, top + height + 15);
            }
        }
        int legendY = top + 15;
        for (Series s : series) {
            g.setColor(s.color());
            g.setStroke(new BasicStroke(2f));
            int px = -1;
            int py = -1;
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(s.values()[i])) {
                    continue;
                }
                int x = left + (n == 1 ? width / 2 : i * width / (n - 1));
                int y = top + height - (int) Math.round(s.values()[i] / max * height);
                g.fillOval(x - 3, y - 3, 6, 6);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.drawString(s.name(), left + width - 90, legendY);
            legendY += 15;
        }
    }
}
