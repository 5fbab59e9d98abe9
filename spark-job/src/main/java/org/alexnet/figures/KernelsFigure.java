package org.alexnet.figures;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.alexnet.model.AlexNetConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The paper's Figure 3: conv1's kernels as a grid of colour tiles, column A's above column B's
 * (one block for the one-column net), each kernel contrast-stretched on its own (its smallest
 * weight black, its largest white, all three channels together so its colours keep their
 * balance), with each column's colour share.
 *
 * <p><b>Colour share</b> of a kernel: of its weights' variation around their mean, the share
 * that differs between the R, G and B filters rather than being common to all three:
 * {@code ||W - grey(W)||^2 / ||W - mean(W)||^2}, where grey(W) repeats the per-pixel mean of
 * the three channels. 0 is a grey (colour-agnostic) kernel, 1 a purely chromatic one;
 * independent random weights score about 2/3. The figure's number per column is the mean over
 * its kernels: the paper's colour-agnostic column scores low, its colour-specific one high.
 */
public final class KernelsFigure {
    /** Kernels per row of the grid (the paper's figure has 16). */
    static final int PER_ROW = 16;
    static final int GAP = 2;
    static final int MARGIN = 8;
    static final int CAPTION = 20;
    static final int MIN_WIDTH = 420;

    /** One column's kernels and their colour share. */
    public record ColumnKernels(String column, INDArray weights, double colourShare) {
        public int count() {
            return (int) weights.size(0);
        }
    }

    private KernelsFigure() {
    }

    /** conv1's weights per column ([kernels, 3, k, k] each), with their colour shares. */
    public static List<ColumnKernels> columns(ComputationGraph graph, AlexNetConfig config) {
        List<ColumnKernels> out = new ArrayList<>();
        if (config.columns() == 2) {
            out.add(column("A", graph.getLayer("conv1a").getParam("W")));
            out.add(column("B", graph.getLayer("conv1b").getParam("W")));
        } else {
            out.add(column("one column", graph.getLayer("conv1").getParam("W")));
        }
        return out;
    }

    private static ColumnKernels column(String name, INDArray weights) {
        double sum = 0;
        for (int k = 0; k < weights.size(0); k++) {
            sum += colourShare(weights.slice(k));
        }
        return new ColumnKernels(name, weights, sum / weights.size(0));
    }

    /** The colour share of one kernel [3, k, k] (see the class comment); 0 for a constant kernel. */
    public static double colourShare(INDArray kernel) {
        double[] w = kernel.dup().data().asDouble();
        int plane = w.length / 3;
        double mean = 0;
        for (double v : w) {
            mean += v;
        }
        mean /= w.length;
        double chromatic = 0;
        double total = 0;
        for (int p = 0; p < plane; p++) {
            double grey = (w[p] + w[plane + p] + w[2 * plane + p]) / 3;
            for (int c = 0; c < 3; c++) {
                double v = w[c * plane + p];
                chromatic += (v - grey) * (v - grey);
                total += (v - mean) * (v - mean);
            }
        }
        return total == 0 ? 0 : chromatic / total;
    }

    /** The grid: each column's caption, then its kernels, {@code scale} pixels per weight. */
    public static BufferedImage draw(List<ColumnKernels> columns, int scale) {
        int side = (int) columns.get(0).weights().size(2);
        int tile = side * scale;
        int perRow = Math.min(PER_ROW, columns.get(0).count());
        int width = Math.max(MIN_WIDTH, 2 * MARGIN + perRow * tile + (perRow - 1) * GAP);
        int height = MARGIN;
        for (ColumnKernels c : columns) {
            int rows = (c.count() + perRow - 1) / perRow;
            height += CAPTION + rows * tile + (rows - 1) * GAP + MARGIN;
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int y = MARGIN;
        for (ColumnKernels c : columns) {
            g.setColor(Color.BLACK);
            g.drawString(String.format("%s: %d conv1 kernels, colour share %.2f", c.column().length() == 1
                    ? "column " + c.column() : c.column(), c.count(), c.colourShare()), MARGIN, y + CAPTION - 6);
            y += CAPTION;
            for (int k = 0; k < c.count(); k++) {
                int x0 = MARGIN + (k % perRow) * (tile + GAP);
                int y0 = y + (k / perRow) * (tile + GAP);
                g.drawImage(kernelTile(c.weights().slice(k), scale), x0, y0, null);
            }
            int rows = (c.count() + perRow - 1) / perRow;
            y += rows * tile + (rows - 1) * GAP + MARGIN;
        }
        g.dispose();
        return img;
    }

    /** One kernel [3, k, k] as RGB pixels, contrast-stretched, each weight a scale x scale square. */
    static BufferedImage kernelTile(INDArray kernel, int scale) {
        double[] w = kernel.dup().data().asDouble();
        int side = (int) kernel.size(1);
        int plane = side * side;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (double v : w) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double range = max > min ? max - min : 1;
        BufferedImage tile = new BufferedImage(side * scale, side * scale, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < plane; p++) {
            int rgb = 0;
            for (int c = 0; c < 3; c++) {
                rgb = (rgb << 8) | (int) Math.round((w[c * plane + p] - min) / range * 255);
            }
            int px = p % side * scale;
            int py = p / side * scale;
            for (int dy = 0; dy < scale; dy++) {
                for (int dx = 0; dx < scale; dx++) {
                    tile.setRGB(px + dx, py + dy, rgb);
                }
            }
        }
        return tile;
    }
}
