package org.alexnet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** deploy/alexnet describe and bench train-step, run from the packaged shaded jar. */
class LauncherModelIT {

    @Test
    void describePrintsThePapersParameterCount() throws Exception {
        Launcher.Run run = Launcher.run("describe", "--classes", "1000");
        assertEquals(0, run.exitCode(), run.stderr());
        String[] lines = run.lines();
        assertEquals("parameters: 60965224", lines[lines.length - 1], run.stdout());
        assertTrue(run.stdout().contains("conv3a") && run.stdout().contains("pool2a+pool2b"), run.stdout());
    }

    @Test
    void describeRejectsABadKeyByName() throws Exception {
        Launcher.Run run = Launcher.run("describe", "--set", "model.colums=1");
        assertEquals(2, run.exitCode(), "a bad config key is a usage error");
        assertTrue(run.stderr().contains("'model.colums'") && run.stderr().contains("model.columns"), run.stderr());
    }

    @Test
    void trainStepBenchmarkPrintsImagesPerSecond() throws Exception {
        Launcher.Run run = Launcher.run("bench", "train-step", "--preset", "tiny", "--batch", "4", "--steps", "2",
                "--warmup", "1", "--set", "model.classes=10");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().matches("(?s).*train-step preset=tiny batch=4 .* images/s.*"), run.stdout());
        assertTrue(run.stdout().matches("(?s).*arithmetic limit: [0-9.]+ GFLOP per image .* GFLOP/s .* are [0-9]+% of it.*"),
                "the step as a share of this machine's arithmetic limit: " + run.stdout());
    }

    /** This machine has no CUDA: gpu-check says so and how to get it, with its own exit code, before any work. */
    @Test
    void gpuCheckWithoutCudaFailsClearly() throws Exception {
        Launcher.Run run = Launcher.run("gpu-check");
        assertEquals(3, run.exitCode(), "exit code for 'no usable CUDA': " + run.stderr());
        assertTrue(run.stderr().contains("gpu-check: no usable CUDA: this build has ND4J's CPU backend only")
                && run.stderr().contains("mvn -B -Pcuda -DskipTests package"), run.stderr());
        assertTrue(!run.stdout().contains("CPU reference"), "nothing trained: " + run.stdout());
    }

    @Test
    void unknownSubcommandIsAUsageError() throws Exception {
        Launcher.Run run = Launcher.run("fly");
        assertEquals(2, run.exitCode());
        assertTrue(run.stderr().contains("unknown subcommand 'fly'"), run.stderr());
    }
}
