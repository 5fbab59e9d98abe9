package org.alexnet.model.gpu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.alexnet.model.Backend;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * gpu-check's CPU side, in a JVM of its own (one JVM loads one ND4J backend): reads the initial
 * parameters and minibatches {@link GpuCheck} wrote ({@link CheckSteps}), trains the same steps
 * with the column executor on ND4J's CPU backend and writes the parameters and losses back.
 * Usage: CpuReference DIR (started by GpuCheck with BACKEND_PRIORITY_CPU set, so ND4J picks the
 * CPU backend although the CUDA one is on the classpath too).
 */
public final class CpuReference {
    private CpuReference() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: CpuReference DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        if (!Backend.isCpu()) {
            System.err.println("gpu-check's CPU reference: ND4J loaded the " + Backend.name()
                    + " backend, not the CPU one");
            System.exit(1);
        }
        ComputationGraph graph = CheckSteps.graph();
        List<Double> losses = CheckSteps.run(dir, graph, List.of(0));
        CheckSteps.write(dir.resolve(CheckSteps.CPU_PARAMS), CheckSteps.floats(graph.params()));
        Files.writeString(dir.resolve(CheckSteps.CPU_LOSSES),
                losses.stream().map(String::valueOf).collect(Collectors.joining("\n", "", "\n")));
    }
}
