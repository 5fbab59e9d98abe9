package org.alexnet.model.gpu;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Usage;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.bench.TrainStepBenchmark;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code deploy/alexnet gpu-check}: does this machine train AlexNet on its GPUs, and correctly?
 * Loads ND4J's CUDA backend, lists the devices, trains a few steps of the small preset with the
 * column executor (each column on its own GPU when there are two or more) and compares them with
 * the same steps on ND4J's CPU backend, then times the full preset's training step.
 *
 * <p>One JVM can load only one ND4J backend, so the CPU reference runs in a child JVM
 * ({@link CpuReference}) on the same jar plus the CPU backend's jars ({@code -Dalexnet.gpu-check.cpu-classpath},
 * which the CUDA build copies to spark-job/target/cpu-backend), with {@code BACKEND_PRIORITY_CPU}
 * raised so ND4J picks the CPU backend there. Initial parameters and minibatches are made here
 * and handed over as files, so neither side depends on its backend's random generator.
 *
 * <p>Pass: every parameter's update (trained minus initial) within {@value #UPDATE_TOLERANCE} of
 * the largest CPU update, every step's loss within {@value #LOSS_TOLERANCE} relative. fp32 on
 * both sides; the launcher sets NVIDIA_TF32_OVERRIDE=0 (unless set) so cuDNN and cuBLAS do not
 * round products to TF32 on Ampere and later.
 *
 * <p>Exit codes: 0 pass, 1 the GPU steps differ or failed, 2 bad options, 3 no usable CUDA.
 */
public final class GpuCheck {
    static final double UPDATE_TOLERANCE = 1e-3;
    static final double LOSS_TOLERANCE = 1e-4;
    static final String CPU_CLASSPATH_PROPERTY = "alexnet.gpu-check.cpu-classpath";
    static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";
    static final int NO_CUDA = 3;
    /** nd4j-cuda-11.6 1.0.0-M2.1 carries machine code for compute capabilities 3.7 to 8.6 and no PTX. */
    static final int MAX_COMPILED_MAJOR = 8;

    static final Usage USAGE = Usage.of("gpu-check", "Does this machine train AlexNet on its GPUs, and correctly? "
                    + "Trains a few steps of the small preset on ND4J's CUDA backend, compares them with the same "
                    + "steps on the CPU, then times the full preset's step. Needs the CUDA build "
                    + "(ALEXNET_BACKEND=cuda). Exit 0 = pass, 1 = the GPU steps differ or failed, 2 = bad options, "
                    + "3 = no usable CUDA.")
            .option("steps", "N", "training steps compared with the CPU (default 3)")
            .option("batch", "N", "minibatch of the compared steps (default 8)")
            .option("speed-steps", "N", "timed steps of the full preset (default 5)")
            .option("speed-batch", "N", "minibatch of the timed steps (default 32)")
            .flag("no-speed", "skip the timing");

    private GpuCheck() {
    }

    public static void main(String[] args) throws Exception {
        if (USAGE.printIfAsked(args, System.out)) {
            System.exit(0);
        }
        int steps;
        int batch;
        int speedSteps;
        int speedBatch;
        boolean speed;
        try {
            CommandLine cli = CommandLine.parse(args, USAGE);
            steps = cli.intOption("steps", 3);
            batch = cli.intOption("batch", 8);
            speedSteps = cli.intOption("speed-steps", 5);
            speedBatch = cli.intOption("speed-batch", 32);
            speed = !cli.flag("no-speed");
            if (steps < 1 || batch < 1 || speedSteps < 1 || speedBatch < 1) {
                throw new ConfigException("options --steps, --batch, --speed-steps and --speed-batch must be >= 1");
            }
        } catch (ConfigException e) {
            System.err.println("gpu-check: " + e.getMessage());
            System.err.println(USAGE.synopsis());
            System.exit(2);
            return;
        }
        String problem = cudaProblem();
        if (problem != null) {
            System.err.println("gpu-check: no usable CUDA: " + problem);
            System.exit(NO_CUDA);
            return;
        }
        List<Integer> devices = listDevices();
        boolean pass = compareWithCpu(devices, steps, batch);
        if (speed && pass) {
            AlexNetConfig full = AlexNetConfig.preset("full", Map.of());
            System.out.println("full preset, batch " + speedBatch + ", columns on device(s) " + devices + ":");
            TrainStepBenchmark.run(full, speedBatch, speedSteps, 2, List.of("columns"), false, devices)
                    .forEach(System.out::println);
        }
        System.exit(pass ? 0 : 1);
    }

    /** Why ND4J's CUDA backend cannot run here, or null when it runs. */
    static String cudaProblem() {
        try {
            Class.forName(CUDA_BACKEND_CLASS, false, GpuCheck.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return "this build has ND4J's CPU backend only. Build the CUDA one on the GPU machine with "
                    + "'mvn -B -Pcuda -DskipTests package' (CUDA 11.6 runtime and cuDNN 8.3: installed, or from "
                    + "org.bytedeco:cuda's -redist jar; see deploy/README.md, GPUs), then run deploy/alexnet gpu-check again";
        }
        String backend;
        try {
            backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
        } catch (Throwable e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return "ND4J's CUDA backend did not start (" + root + "). Is there an NVIDIA GPU with its driver "
                    + "(nvidia-smi lists it) and the CUDA 11.6 runtime? ND4J's log above says which library failed to load";
        }
        if (!"CUDA".equalsIgnoreCase(backend)) {
            return "ND4J loaded its " + backend + " backend instead of CUDA (no CUDA device, or "
                    + "BACKEND_PRIORITY_CPU is set)";
        }
        return null;
    }

    /** Prints the devices ND4J sees; returns the column placement: two devices when there are two. */
    private static List<Integer> listDevices() {
        int n = Nd4j.getAffinityManager().getNumberOfDevices();
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        System.out.println("ND4J " + env.getProperty("backend") + " backend, " + n + " device(s):");
        Object info = env.get("cuda.devicesInformation");
        if (info instanceof List<?> list) {
            for (int d = 0; d < list.size(); d++) {
                System.out.println("  device " + d + ": " + describe(list.get(d)));
            }
        }
        env.stringPropertyNames().stream().filter(k -> k.startsWith("cuda.") && !k.equals("cuda.devicesInformation"))
                .sorted().forEach(k -> System.out.println("  " + k + " = " + env.getProperty(k)));
        return n >= 2 ? List.of(0, 1) : List.of(0);
    }

    /** One entry of ND4J's cuda.devicesInformation: name, compute capability, memory; a warning past Ampere/Ada. */
    static String describe(Object device) {
        if (!(device instanceof Map<?, ?> m)) {
            return String.valueOf(device);
        }
        String major = String.valueOf(m.get("cuda.deviceMajor"));
        String text = String.format("%s, compute capability %s.%s, %s total, %s free", m.get("cuda.deviceName"), major,
                m.get("cuda.deviceMinor"), gigabytes(m.get("cuda.totalMemory")), gigabytes(m.get("cuda.freeMemory")));
        if (major.matches("\\d+") && Integer.parseInt(major) > MAX_COMPILED_MAJOR) {
            text += " -- ND4J 1.0.0-M2.1's CUDA build has no kernels for it (machine code up to 8.6, no PTX): "
                    + "expect 'no kernel image is available' (deploy/README.md, GPUs)";
        }
        return text;
    }

    private static String gigabytes(Object bytes) {
        return bytes instanceof Number n ? String.format("%.1f GB", n.doubleValue() / (1L << 30)) : String.valueOf(bytes);
    }

    /** The small preset's steps on the GPU(s) against the CPU reference; prints the verdict. */
    private static boolean compareWithCpu(List<Integer> devices, int steps, int batch) throws IOException,
            InterruptedException {
        Path dir = Files.createTempDirectory("alexnet-gpu-check");
        try {
            ComputationGraph graph = CheckSteps.graph();
            CheckSteps.writeInputs(dir, graph, steps, batch, 17);
            float[] initial = CheckSteps.read(dir.resolve(CheckSteps.PARAMS));
            System.out.println("CPU reference: " + steps + " steps of the small preset (batch " + batch
                    + ") in a child JVM on ND4J's CPU backend ...");
            String failure = runCpuReference(dir);
            if (failure != null) {
                System.out.println("FAIL: the CPU reference did not run: " + failure);
                return false;
            }
            System.out.println("GPU: the same steps, columns on device(s) " + devices + " ...");
            List<Double> losses;
            try {
                losses = CheckSteps.run(dir, graph, devices);
            } catch (RuntimeException e) {
                System.out.println("FAIL: the steps on the GPU failed: " + e);
                e.printStackTrace(System.out);
                return false;
            }
            List<Double> cpuLosses = Files.readAllLines(dir.resolve(CheckSteps.CPU_LOSSES)).stream()
                    .filter(l -> !l.isBlank()).map(Double::valueOf).toList();
            UpdateComparison c = UpdateComparison.of(initial, CheckSteps.read(dir.resolve(CheckSteps.CPU_PARAMS)),
                    CheckSteps.floats(graph.params()), cpuLosses, losses);
            System.out.printf("losses per step: GPU %s, CPU %s%n", losses, cpuLosses);
            boolean pass = c.within(UPDATE_TOLERANCE, LOSS_TOLERANCE);
            System.out.printf("%s: parameter updates differ by at most %.3g (%.2g of the largest update %.3g; "
                            + "tolerance %.0g), losses by %.2g relative (tolerance %.0g)%n", pass ? "PASS" : "FAIL",
                    c.maxDifference(), c.relativeDifference(), c.maxUpdate(), UPDATE_TOLERANCE, c.maxLossDifference(),
                    LOSS_TOLERANCE);
            return pass;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Runs {@link CpuReference} on dir in a child JVM: this JVM's options, the CPU backend's jars
     * ahead of this classpath, the CPU backend preferred. Returns null on success, else why not.
     */
    static String runCpuReference(Path dir) throws IOException, InterruptedException {
        String cpuJars = System.getProperty(CPU_CLASSPATH_PROPERTY, "");
        String classpath = cpuJars.isBlank() ? System.getProperty("java.class.path")
                : cpuJars + File.pathSeparator + System.getProperty("java.class.path");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent")).forEach(command::add);
        command.addAll(List.of("-cp", classpath, CpuReference.class.getName(), dir.toString()));
        Path log = dir.resolve("cpu-reference.log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("BACKEND_PRIORITY_CPU", "10000"); // above CUDA's, so ND4J starts the CPU backend
        int exit = pb.start().waitFor();
        if (exit == 0) {
            return null;
        }
        List<String> lines = Files.readAllLines(log);
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        return "exit code " + exit + (cpuJars.isBlank() ? " (no -D" + CPU_CLASSPATH_PROPERTY + ": the CUDA build "
                + "copies the CPU backend's jars to spark-job/target/cpu-backend, which deploy/alexnet passes)" : "")
                + "; its last lines:\n" + tail;
    }
}
