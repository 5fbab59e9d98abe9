package org.alexnet.figures;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.alexnet.archive.ClassName;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The paper's Figure 4, drawn: per query image, its top-5 classes as bars (the true class in
 * red, the others blue, as the paper colours them) and the training images nearest to it in fc7
 * space, as one PNG (a row per query) and one self-contained HTML page (images embedded as
 * their stored JPEGs, charts as PNGs, keys, classes and distances as text).
 */
public final class NeighboursFigure {
    static final int TILE = 128;
    static final int CHART_WIDTH = 320;
    static final int CAPTION = 30;
    static final int GAP = 8;
    /** Characters of a caption that fit under a tile. */
    private static final int TILE_CHARS = 22;
    private static final Color TRUE_CLASS = new Color(0xD62728);
    private static final Color OTHER_CLASS = new Color(0x1F77B4);

    /** One image shown: its key, true class (null if unknown) and stored JPEG. */
    public record Picture(String key, ClassName cls, byte[] jpeg) {
    }

    /** One predicted class. */
    public record Guess(ClassName cls, double probability) {
    }

    /** A query: the image, its top-5 and its neighbours with their distances. */
    public record Query(Picture image, List<Guess> top, List<Picture> neighbours, List<Double> distances) {
    }

    private NeighboursFigure() {
    }

    /** The figure: a row per query of its image, its top-5 bars and its neighbours. */
    public static BufferedImage png(List<Query> queries, int neighbours) {
        int width = GAP + TILE + GAP + CHART_WIDTH + GAP + neighbours * (TILE + GAP);
        int row = TILE + CAPTION + GAP;
        BufferedImage img = new BufferedImage(width, GAP + queries.size() * row, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int q = 0; q < queries.size(); q++) {
            Query query = queries.get(q);
            int y = GAP + q * row;
            int x = GAP;
            tile(g, query.image(), x, y, "query: " + label(query.image().cls()));
            x += TILE + GAP;
            chart(query).draw(g, new Rectangle2D.Double(x, y, CHART_WIDTH, TILE));
            x += CHART_WIDTH + GAP;
            for (int n = 0; n < query.neighbours().size(); n++) {
                Picture p = query.neighbours().get(n);
                tile(g, p, x, y, String.format("d=%.3g %s", query.distances().get(n), label(p.cls())));
                x += TILE + GAP;
            }
            g.setColor(new Color(0xDDDDDD));
            g.setStroke(new BasicStroke(1));
            g.drawLine(0, y + row - GAP / 2, img.getWidth(), y + row - GAP / 2);
        }
        g.dispose();
        return img;
    }

    /** One self-contained HTML page of the same figure, with every image's key. */
    public static String html(List<Query> queries, Map<String, String> about) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<title>AlexNet: top-5 and nearest training images in fc7 space</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:1.5em} table{border-collapse:collapse}")
                .append("td{vertical-align:top;padding:6px;border-bottom:1px solid #ddd;font-size:12px}")
                .append("figure{margin:0;width:").append(TILE).append("px} figure img{width:").append(TILE)
                .append("px;height:").append(TILE).append("px;object-fit:cover}")
                .append("figcaption{word-break:break-all} .true{color:#d62728;font-weight:bold}\n</style></head><body>\n")
                .append("<h1>Top-5 predictions and nearest training images</h1>\n<p>As in Figure 4 of Krizhevsky et al. ")
                .append("(2012): for each query image, the model's five most probable classes (the true class in red) ")
                .append("and the training images whose last hidden layer (fc7, 4096 units) is closest in Euclidean ")
                .append("distance.</p>\n<ul>\n");
        about.forEach((k, v) -> h.append("<li>").append(escape(k)).append(": ").append(escape(v)).append("</li>\n"));
        h.append("</ul>\n<table>\n<tr><th>query</th><th>top-5</th><th colspan=\"")
                .append(queries.isEmpty() ? 1 : queries.get(0).neighbours().size())
                .append("\">nearest training images (distance)</th></tr>\n");
        for (Query q : queries) {
            h.append("<tr class=\"query\" data-key=\"").append(escape(q.image().key())).append("\">\n<td>");
            figure(h, q.image(), "true class: " + label(q.image().cls()));
            h.append("</td>\n<td><img alt=\"top-5 of ").append(escape(q.image().key()))
                    .append("\" src=\"data:image/png;base64,").append(base64(chartPng(q))).append("\"><ol>");
            for (Guess guess : q.top()) {
                boolean right = guess.cls().equals(q.image().cls());
                h.append("<li").append(right ? " class=\"true\"" : "").append(">").append(escape(label(guess.cls())))
                        .append(String.format(": %.4f", guess.probability())).append("</li>");
            }
            h.append("</ol></td>\n");
            for (int n = 0; n < q.neighbours().size(); n++) {
                Picture p = q.neighbours().get(n);
                h.append("<td class=\"neighbour\" data-key=\"").append(escape(p.key())).append("\">");
                figure(h, p, String.format("%s (%.4g)", label(p.cls()), q.distances().get(n)));
                h.append("</td>");
            }
            h.append("\n</tr>\n");
        }
        h.append("</table>\n</body></html>\n");
        return h.toString();
    }

    private static void figure(StringBuilder h, Picture p, String caption) {
        h.append("<figure><img alt=\"").append(escape(p.key())).append("\" title=\"").append(escape(p.key()))
                .append("\" src=\"data:image/jpeg;base64,").append(base64(p.jpeg())).append("\"><figcaption>")
                .append(escape(p.key())).append("<br>").append(escape(caption)).append("</figcaption></figure>");
    }

    /** The top-5 as horizontal bars, probability 0 to 1, the true class red. */
    static JFreeChart chart(Query q) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        int truth = -1;
        for (int i = 0; i < q.top().size(); i++) {
            Guess guess = q.top().get(i);
            data.addValue(guess.probability(), "probability", (i + 1) + ". " + shorten(label(guess.cls()), 30));
            if (guess.cls().equals(q.image().cls())) {
                truth = i;
            }
        }
        int trueColumn = truth;
        BarRenderer bars = new BarRenderer() {
            @Override
            public Paint getItemPaint(int row, int column) {
                return column == trueColumn ? TRUE_CLASS : OTHER_CLASS;
            }
        };
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setMaximumBarWidth(0.15);
        CategoryAxis classes = new CategoryAxis();
        classes.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        classes.setMaximumCategoryLabelWidthRatio(0.6f);
        NumberAxis probability = new NumberAxis();
        probability.setRange(0, 1);
        probability.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        CategoryPlot plot = new CategoryPlot(data, classes, probability, bars);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static byte[] chartPng(Query q) {
        try {
            return ChartUtils.encodeAsPNG(chart(q).createBufferedImage(CHART_WIDTH, TILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image's centre square scaled to the tile, with its caption below. */
    private static void tile(Graphics2D g, Picture p, int x, int y, String caption) {
        BufferedImage img = decode(p.jpeg());
        if (img != null) {
            int side = Math.min(img.getWidth(), img.getHeight());
            int sx = (img.getWidth() - side) / 2;
            int sy = (img.getHeight() - side) / 2;
            g.drawImage(img, x, y, x + TILE, y + TILE, sx, sy, sx + side, sy + side, null);
        } else {
            g.setColor(Color.LIGHT_GRAY);
            g.fillRect(x, y, TILE, TILE);
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        g.drawString(shorten(caption, TILE_CHARS), x, y + TILE + 12);
        g.setColor(Color.DARK_GRAY);
        g.drawString(tail(p.key(), TILE_CHARS), x, y + TILE + 24); // the file name, not the common directory
    }

    private static BufferedImage decode(byte[] jpeg) {
        try {
            return ImageIO.read(new ByteArrayInputStream(jpeg));
        } catch (IOException e) {
            return null;
        }
    }

    static String label(ClassName c) {
        return c == null ? "unknown" : c.name().isBlank() ? c.wnid() : c.name();
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : "\u2026" + s.substring(s.length() - max + 1);
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
