package org.alexnet.model.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alexnet.config.CommandLine;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Installation;
import org.alexnet.config.Usage;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.Backend;
import org.alexnet.model.columns.ColumnExecutor;
import org.alexnet.model.columns.StepProfile;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code deploy/alexnet bench train-step}: images per second of one training step (forward,
 * backward, classical-momentum update) on a random minibatch; warm-up steps excluded, median of
 * the timed steps. Options: --preset (full), --batch (32), --steps (5), --warmup (2), --profile
 * (the column executor's milliseconds per layer, forward and backward, exchanges, update),
 * --executor single|columns|both (both: the two strategies' steps interleaved in one run, so
 * both see the same machine load, then their ratio), --set model.key=value.
 * "single" is {@code ComputationGraph.fit}; "columns" is the {@link ColumnExecutor} (each column
 * on its own thread). Then the step's share of this machine's arithmetic limit
 * ({@link ArithmeticLimit}: FLOPs per image from the layer shapes, fp32 peak measured by SGEMM).
 */
public final class TrainStepBenchmark {
    static final Usage USAGE = Usage.of("bench train-step", "Images per second of one training step (forward, "
                    + "backward, momentum update) on a random minibatch: warm-up steps excluded, median of the timed "
                    + "steps; then the step's share of this machine's arithmetic limit.")
            .option("preset", "NAME", "full | small | tiny (default full)")
            .option("batch", "N", "minibatch (default 32)")
            .option("steps", "N", "timed steps (default 5)")
            .option("warmup", "N", "untimed steps first (default 2)")
            .option("executor", "single|columns|both", "ComputationGraph.fit, the column executor, or both "
                    + "interleaved and their ratio (default both)")
            .flag("profile", "the column executor's milliseconds per layer, exchange and update")
            .config(AlexNetConfig.SCHEMA, "model.properties");

    private TrainStepBenchmark() {
    }

    public static void main(String[] args) {
        if (USAGE.printIfAsked(args, System.out)) {
            System.exit(0);
        }
        CommandLine cli;
        AlexNetConfig model;
        int batch;
        int steps;
        int warmup;
        String executor;
        try {
            cli = CommandLine.parse(args, USAGE);
            Map<String, String> fromOptions = new java.util.LinkedHashMap<>();
            fromOptions.put(AlexNetConfig.PRESET.name(), cli.option("preset").orElse("full"));
            Config config = cli.resolve(AlexNetConfig.SCHEMA, Installation.confFiles("model.properties"), fromOptions);
            model = AlexNetConfig.from(config);
            batch = cli.intOption("batch", 32);
            steps = cli.intOption("steps", 5);
            warmup = cli.intOption("warmup", 2);
            executor = cli.option("executor").orElse("both");
            if (!Set.of("single", "columns", "both").contains(executor)) {
                throw new ConfigException("option --executor: '" + executor + "' is not one of single | columns | both");
            }
            if (batch < 1 || steps < 1 || warmup < 0) {
                throw new ConfigException("options --batch and --steps must be >= 1, --warmup >= 0");
            }
        } catch (ConfigException e) {
            System.err.println("bench train-step: " + e.getMessage());
            System.err.println(USAGE.synopsis());
            System.exit(2);
            return;
        }
        List<Result> results = run(model, batch, steps, warmup,
                executor.equals("both") ? List.of("single", "columns") : List.of(executor), cli.flag("profile"));
        results.forEach(System.out::println);
        if (results.size() == 2) {
            System.out.printf("columns/single: %.2fx images/s%n",
                    results.get(1).imagesPerSecond() / results.get(0).imagesPerSecond());
        }
        Result fastest = results.stream().max(java.util.Comparator.comparingDouble(Result::imagesPerSecond)).orElseThrow();
        System.out.println(ArithmeticLimit.report(ArithmeticLimit.perImage(model),
                ArithmeticLimit.peak(5), fastest.imagesPerSecond()) + " (" + fastest.executor() + " executor)");
    }

    /** Median seconds per step and images per second of one executor's training step. */
    public record Result(String preset, int batch, String executor, double[] secondsPerStep) {
        public double medianSeconds() {
            double[] s = secondsPerStep.clone();
            Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        public double imagesPerSecond() {
            return batch / medianSeconds();
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (double s : secondsPerStep) {
                sb.append(sb.length() == 0 ? "" : " ").append(String.format("%.2f", s));
            }
            return String.format("train-step preset=%s batch=%d executor=%s backend=%s threads=%s: "
                            + "median %.3f s/step, %.2f images/s (steps: %s s)",
                    preset, batch, executor, Backend.name(),
                    Nd4j.getEnvironment().maxMasterThreads(), medianSeconds(), imagesPerSecond(), sb);
        }
    }

    /**
     * Times the given executors ("single", "columns") on the same minibatch, each on its own
     * freshly built network; warm-up steps first, then the timed steps interleaved.
     */
    public static List<Result> run(AlexNetConfig model, int batch, int steps, int warmup, List<String> executors) {
        return run(model, batch, steps, warmup, executors, false);
    }

    /** As above; with {@code profile}, also prints the column executor's time per layer (see {@link StepProfile}). */
    public static List<Result> run(AlexNetConfig model, int batch, int steps, int warmup, List<String> executors,
                                   boolean profile) {
        return run(model, batch, steps, warmup, executors, profile, null);
    }

    /**
     * As above, the column executor's columns on the given devices (null: both on the current
     * device, the CPU or the current GPU).
     */
    public static List<Result> run(AlexNetConfig model, int batch, int steps, int warmup, List<String> executors,
                                   boolean profile, List<Integer> devices) {
        MultiDataSet data = randomBatch(model, batch, model.seed());
        List<Runnable> step = new ArrayList<>();
        List<ColumnExecutor> toClose = new ArrayList<>();
        List<StepProfile> profiles = new ArrayList<>();
        for (String e : executors) {
            ComputationGraph graph = AlexNet.build(model);
            if (e.equals("columns")) {
                ColumnExecutor columns = devices == null ? ColumnExecutor.onCurrentDevice(graph, model)
                        : new ColumnExecutor(graph, model, devices);
                toClose.add(columns);
                step.add(() -> columns.fit(data));
            } else {
                step.add(() -> graph.fit(data));
            }
        }
        try {
            for (Runnable s : step) {
                for (int i = 0; i < warmup; i++) {
                    s.run();
                }
            }
            if (profile) {
                toClose.forEach(c -> profiles.add(c.profile()));
            }
            double[][] seconds = new double[step.size()][steps];
            for (int i = 0; i < steps; i++) {
                for (int k = 0; k < step.size(); k++) {
                    long t0 = System.nanoTime();
                    step.get(k).run();
                    seconds[k][i] = (System.nanoTime() - t0) / 1e9;
                }
            }
            profiles.forEach(p -> System.out.print("column executor, time per layer:\n" + p.table()));
            List<Result> out = new ArrayList<>();
            for (int k = 0; k < step.size(); k++) {
                out.add(new Result(model.preset(), batch, executors.get(k), seconds[k]));
            }
            return out;
        } finally {
            toClose.forEach(ColumnExecutor::close);
        }
    }

    /** Random images (mean-subtracted pixel scale) and random one-hot labels. */
    public static MultiDataSet randomBatch(AlexNetConfig model, int batch, long seed) {
        Nd4j.getRandom().setSeed(seed);
        org.nd4j.linalg.api.buffer.DataType type = model.precision() == AlexNetConfig.Precision.DOUBLE
                ? org.nd4j.linalg.api.buffer.DataType.DOUBLE : org.nd4j.linalg.api.buffer.DataType.FLOAT;
        INDArray images = Nd4j.randn(type, batch, 3, model.inputSize(), model.inputSize()).muli(50);
        INDArray labels = Nd4j.zeros(type, batch, model.classes());
        java.util.Random random = new java.util.Random(seed);
        for (int i = 0; i < batch; i++) {
            labels.putScalar(i, random.nextInt(model.classes()), 1.0);
        }
        return new MultiDataSet(images, labels);
    }
}
