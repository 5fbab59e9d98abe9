package org.alexnet.model.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gpu-check's parts that run without a GPU: it names what is missing on a CPU-only build; its CPU
 * reference, run in a child JVM as gpu-check runs it, trains exactly what the same steps train
 * in this JVM; and its comparison passes equal updates and fails a wrong one.
 */
class GpuCheckTest {

    @Test
    void namesTheMissingCudaBackend() {
        String problem = GpuCheck.cudaProblem();
        assertTrue(problem != null && problem.contains("CPU backend only") && problem.contains("-Pcuda"),
                "the CPU-only test classpath has no CUDA backend: " + problem);
    }

    @Test
    void cpuReferenceInAChildJvmEqualsTheSameStepsHere(@TempDir Path dir) throws Exception {
        ComputationGraph graph = CheckSteps.graph();
        CheckSteps.writeInputs(dir, graph, 2, 3, 5);
        float[] initial = CheckSteps.read(dir.resolve(CheckSteps.PARAMS));
        assertNull(GpuCheck.runCpuReference(dir), "the child JVM ran");
        List<Double> losses = CheckSteps.run(dir, graph, List.of(0));
        List<Double> childLosses = Files.readAllLines(dir.resolve(CheckSteps.CPU_LOSSES)).stream()
                .filter(l -> !l.isBlank()).map(Double::valueOf).toList();
        assertEquals(2, childLosses.size(), "one loss per step");
        UpdateComparison c = UpdateComparison.of(initial, CheckSteps.read(dir.resolve(CheckSteps.CPU_PARAMS)),
                CheckSteps.floats(graph.params()), childLosses, losses);
        assertTrue(c.maxUpdate() > 0, "the steps moved the parameters");
        assertTrue(c.within(1e-5, 1e-6), "same backend, same steps: " + c);
    }

    @Test
    void comparisonFailsAWrongUpdate() {
        float[] initial = {1, 2, 3};
        float[] expected = {1.1f, 2, 2.9f};
        float[] close = {1.1f, 2.00001f, 2.9f};
        float[] wrong = {1.1f, 2, 2.95f};
        assertTrue(UpdateComparison.of(initial, expected, close, List.of(2.0), List.of(2.0001)).within(1e-3, 1e-4));
        assertFalse(UpdateComparison.of(initial, expected, wrong, List.of(2.0), List.of(2.0)).within(1e-3, 1e-4),
                "an update half the right size in one parameter");
        assertFalse(UpdateComparison.of(initial, expected, close, List.of(2.0), List.of(2.1)).within(1e-3, 1e-4),
                "a loss 5% off");
        assertFalse(UpdateComparison.of(initial, initial, initial, List.of(2.0), List.of(2.0)).within(1e-3, 1e-4),
                "nothing moved: nothing was checked");
    }
}
