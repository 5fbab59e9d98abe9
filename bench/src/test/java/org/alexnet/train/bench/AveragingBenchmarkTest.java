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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code bench averaging}'s code path for both sides, on the small preset and local[2]. */
class AveragingBenchmarkTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("AveragingBenchmarkTest")
                .config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static String run(int workers, AveragingBenchmark.Dl4jMode dl4j, AveragingBenchmark.Report[] report) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainConfig train = TrainConfig.from(TrainConfig.SCHEMA.resolve(Map.of("train.executor", "single")));
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            report[0] = AveragingBenchmark.run(spark, new AveragingBenchmark.Settings(
                    AlexNetConfig.preset("small", Map.of("model.classes", "10")), train, workers, 1, 0, dl4j), out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        return text;
    }

    @Test
    void timesOneRoundOfOursAndOfDl4jAndPrintsTheDriversTraffic() {
        AveragingBenchmark.Report[] report = new AveragingBenchmark.Report[1];
        String text = run(2, AveragingBenchmark.Dl4jMode.ON, report);
        assertEquals(1, report[0].ours().length);
        assertEquals(1, report[0].dl4j().length);
        assertEquals(report[0].oursMedian(), figure(text, "^ours \\(.*median ([0-9.]+) s/round"), 0.006, text);
        assertEquals(report[0].dl4jMedian(), figure(text, "^dl4j \\(.*median ([0-9.]+) s/round"), 0.006, text);
        double state = figure(text, "state=([0-9.]+) MB");
        double ours = figure(text, "^ours driver inbound per round: ([0-9.]+) MB");
        double dl4j = figure(text, "^dl4j driver inbound per round: ([0-9.]+) MB");
        assertTrue(ours >= state && ours <= 1.1 * state, "our driver receives one state (" + state + " MB): " + ours);
        assertTrue(dl4j >= 2 * state * 0.9, "DL4J's driver receives the workers' states: " + dl4j);
        assertTrue(figure(text, "^ours peak driver heap: ([0-9.]+) MB") > 0, text);
        assertTrue(figure(text, "^dl4j peak driver heap: ([0-9.]+) MB") > 0, text);
        double overhead = figure(text, "^ours round overhead: ([0-9.]+) s");
        assertTrue(overhead > 0 && overhead < report[0].oursMedian(), "overhead within the round: " + overhead);
        assertTrue(text.matches("(?s).*ours breakdown \\(medians, s\\): broadcast [0-9.]+, worker step [0-9.]+ "
                + "\\(stage [0-9.]+, writing pieces [0-9.]+\\), shard exchange [0-9.]+, average [0-9.]+, driver receive [0-9.]+.*"), text);
        assertTrue(text.contains("ours/dl4j: "), text);
        assertTrue(text.contains("dl4j.ParameterAveragingMasterBroadcastCreate="), text);
    }

    @Test
    void dl4jsSideIsSkippedWithAReasonAndOursIsStillReported() {
        AveragingBenchmark.Report[] report = new AveragingBenchmark.Report[1];
        String text = run(3, AveragingBenchmark.Dl4jMode.OFF, report);
        assertEquals(0, report[0].dl4j().length, "DL4J's side did not run");
        assertTrue(text.matches("(?s).*\ndl4j: not run \\(--dl4j off\\); --dl4j on runs it anyway.*"), text);
        assertTrue(text.contains("ours driver inbound per round: "), "ours is still reported:\n" + text);
    }

    @Test
    void autoSkipsDl4jWhenItsHeapNeedOrItsTaskResultsDoNotFit() {
        long state = 487_700_000L;
        AveragingBenchmark.Settings four = settings(4, AveragingBenchmark.Dl4jMode.AUTO);
        assertEquals(null, AveragingBenchmark.dl4jSkipReason(four, state, 64L << 30, 0),
                "runs with room on the heap and no result limit");
        String results = AveragingBenchmark.dl4jSkipReason(four, state, 64L << 30, 1L << 30);
        assertTrue(results != null && results.contains("spark.driver.maxResultSize"),
                "four whole states (1.95 GB) above a 1 GiB result limit: " + results);
        String heap = AveragingBenchmark.dl4jSkipReason(settings(4, AveragingBenchmark.Dl4jMode.AUTO), state, 8L << 30, 0);
        assertTrue(heap != null && heap.contains("of heap at 4 workers"),
                "4 workers of the full model in an 8 GiB heap ran out of memory (measured): " + heap);
        assertEquals(null, AveragingBenchmark.dl4jSkipReason(settings(8, AveragingBenchmark.Dl4jMode.ON), state, 1, 1),
                "--dl4j on runs it anyway");
    }

    private static AveragingBenchmark.Settings settings(int workers, AveragingBenchmark.Dl4jMode dl4j) {
        return new AveragingBenchmark.Settings(AlexNetConfig.preset("small", Map.of("model.classes", "10")),
                TrainConfig.from(TrainConfig.SCHEMA.resolve(Map.of())), workers, 1, 0, dl4j);
    }

    private static double figure(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), "no line matching " + regex + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
