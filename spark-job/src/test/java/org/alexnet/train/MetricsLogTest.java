package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.jsonl and curves.png as a run writes them, on a real local Hadoop FileSystem. */
class MetricsLogTest {
    @TempDir
    Path dir;

    private static final MetricsLog.Epoch FIRST = new MetricsLog.Epoch(1, 2.302585092994046, 2.1, 0.875, 0.5, 0.01, 96, 12.5);
    /** An epoch whose workers trained no image has no training loss. */
    private static final MetricsLog.Epoch SECOND = new MetricsLog.Epoch(2, Double.NaN, 1.9, 0.625, 0.25, 1e-3, 0, 3e-4);

    @Test
    void everyEpochIsOneJsonLineWithSnakeCaseKeysThatReadsBackExactly() throws Exception {
        MetricsLog log = new MetricsLog(FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(dir.toUri()));
        log.add(FIRST);
        log.add(SECOND);
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertEquals(2, lines.size(), "one line per epoch");
        assertEquals("{\"epoch\":1,\"train_loss\":2.302585092994046,\"val_loss\":2.1,\"top1_error\":0.875,\"top5_error\":0.5,"
                + "\"learning_rate\":0.01,\"images\":96,\"seconds\":12.5}", lines.get(0), "the keys users and scripts read");
        assertEquals(FIRST, MetricsLog.Epoch.parse(lines.get(0)), "a line reads back to the same figures");
        assertTrue(lines.get(1).contains("\"train_loss\":\"NaN\""), "a missing loss is written as the string NaN: " + lines.get(1));
        assertEquals(SECOND, MetricsLog.Epoch.parse(lines.get(1)), "and reads back as NaN");
    }

    @Test
    void curvesAreAChartOfBothPanels() throws Exception {
        MetricsLog log = new MetricsLog(FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(dir.toUri()));
        log.add(FIRST);
        log.add(SECOND);
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("curves.png"))));
        assertEquals(900, png.getWidth(), "curves.png's width");
        assertEquals(640, png.getHeight(), "curves.png's height");
        int coloured = 0;
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                int rgb = png.getRGB(x, y);
                int r = (rgb >> 16) & 255;
                int g = (rgb >> 8) & 255;
                int b = rgb & 255;
                coloured += Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 100 ? 1 : 0;
            }
        }
        assertTrue(coloured > 500, "the series are drawn in colour: " + coloured + " saturated pixels");
    }
}
