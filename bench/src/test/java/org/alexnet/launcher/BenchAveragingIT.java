package org.alexnet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** deploy/alexnet bench averaging, run as a user runs it: from the bench module's jar and classpath. */
class BenchAveragingIT {

    @Test
    void benchAveragingComparesOursWithDl4jFromTheBenchModule() throws Exception {
        Launcher.Run run = Launcher.run("bench", "averaging", "--preset", "tiny", "--workers", "2", "--rounds", "1",
                "--warmup", "0", "--dl4j", "on", "--set", "model.classes=10");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().matches("(?s).*\nours driver inbound per round: [0-9.]+ MB \\(1\\.0[0-9] x the state.*"),
                "the driver receives one state per round:\n" + run.stdout());
        assertTrue(run.stdout().contains("\nours/dl4j: "), "DL4J's side runs (dl4j-spark is on the bench classpath):\n"
                + run.stdout());
    }

    @Test
    void helpPrintsTheUsageAndExitsZero() throws Exception {
        Launcher.Run run = Launcher.run("bench", "averaging", "--help");
        assertEquals(0, run.exitCode(), "--help exits 0: " + run.stderr());
        assertTrue(run.stdout().startsWith("usage: deploy/alexnet bench averaging ")
                && run.stdout().contains("--dl4j auto|on|off") && run.stdout().contains("train.averaging.shards = "),
                "the usage, its options and the configuration keys:\n" + run.stdout());
    }
}
