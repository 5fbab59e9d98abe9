package org.alexnet.train.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.train.TrainConfig;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** {@code bench averaging}'s code path for both sides, on the small preset and local[2], one round. */
class AveragingBenchmarkTest {
    @Test
    void timesOneRoundOfOursAndOfDl4jAndPrintsBoth() {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("AveragingBenchmarkTest")
                .config("spark.ui.enabled", "false").config("spark.driver.maxResultSize", "0").getOrCreate();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AveragingBenchmark.Report report;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            report = AveragingBenchmark.run(spark, new AveragingBenchmark.Settings(
                    AlexNetConfig.preset("small", Map.of("model.classes", "10")), 2, 1, 0,
                    TrainConfig.Executor.SINGLE), out);
        } finally {
            spark.stop();
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(1, report.ours().length);
        assertEquals(1, report.dl4j().length);
        assertTrue(report.oursMedian() > 0 && report.dl4jMedian() > 0, text);
        double ours = figure(text, "^ours \\(.*median ([0-9.]+) s/round");
        double dl4j = figure(text, "^dl4j \\(.*median ([0-9.]+) s/round");
        assertEquals(report.oursMedian(), ours, 0.006, text);
        assertEquals(report.dl4jMedian(), dl4j, 0.006, text);
        assertTrue(text.contains("ours/dl4j: "), text);
        // both sides moved a whole model each way: broadcast and results are at least the parameters' bytes
        Matcher m = Pattern.compile("ours broadcast ([0-9.]+) MB \\+ results ([0-9.]+) MB; "
                + "dl4j broadcast ([0-9.]+) MB \\+ results ([0-9.]+) MB").matcher(text);
        assertTrue(m.find(), text);
        for (int g = 1; g <= 4; g++) {
            assertTrue(Double.parseDouble(m.group(g)) > 0, text);
        }
        assertTrue(text.contains("breakdown ours") && text.contains("breakdown dl4j"), text);
        assertTrue(text.contains("dl4j.ParameterAveragingMasterBroadcastCreate="), text);
    }

    private static double figure(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), "no line matching " + regex + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
