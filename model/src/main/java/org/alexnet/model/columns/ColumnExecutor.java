package org.alexnet.model.columns;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.alexnet.model.AlexNetConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.MirroringPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains the canonical two-column AlexNet ({@link org.alexnet.model.AlexNet#build}) the way the
 * paper did: column A's layers on one device, column B's on another, each column driven by its
 * own thread, exchanging activations only at the inputs of conv3, fc6, fc7 and fc8 (fc8 runs in
 * column A) and the matching gradients on the way back ({@link Exchange}). A step gives the
 * same parameters and loss as {@code graph.fit(batch)}.
 *
 * <p><b>Parameters.</b> The executor works on the canonical graph's own parameter, gradient and
 * updater-state (momentum) vectors, so checkpoints, averaging and evaluation do not care which
 * executor trained. A column whose device is not the one holding the canonical graph (only
 * possible on a multi-GPU backend) drives a replica of the graph on its own device; its share of
 * parameters and momentum is copied from the canonical graph at construction and
 * {@link #reload()}, and back at {@link #writeBack()}. On the CPU backend, or with one device,
 * there are no replicas and both calls do nothing. The learning rate is the canonical graph's
 * (set it with {@link org.alexnet.model.training.LearningRates#apply}).
 *
 * <p><b>Use from the training job.</b>
 * <pre>
 * try (ColumnExecutor columns = new ColumnExecutor(graph, config, gpuAddresses)) {
 *     for (MultiDataSet batch : minibatches) {
 *         double loss = columns.fit(batch);
 *     }
 *     columns.writeBack();   // before reading, saving or averaging graph.params()
 *     ...                    // graph.params() changed from outside (averaging)?
 *     columns.reload();      // then load it into the device replicas
 * }
 * </pre>
 * Devices are ND4J device numbers: one (both columns share it) or two (A, B). On the CPU
 * backend pass {@code List.of(0)} (or use {@link #onCurrentDevice}); both columns still run in
 * parallel, each on its own thread.
 *
 * <p><b>Inference.</b> {@link #output} gives the softmax and {@link #activations} any layers'
 * outputs (e.g. fc7, the paper's 4096-unit image feature), both columns' parts joined; an
 * executor made with {@link #forInference} does only that, without the gradient and momentum
 * vectors training needs.
 */
public final class ColumnExecutor implements AutoCloseable {
    /**
     * Memory of one column's step (activations, gradients, temporaries): sized by the first step,
     * then reused. Without it every step allocates ~1 GB of fresh off-heap buffers that only a
     * garbage collection returns, and the page faults on them cost more than some layers.
     */
    private static final WorkspaceConfiguration STEP_MEMORY = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.1)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyMirroring(MirroringPolicy.FULL)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();
    private static final String STEP_WORKSPACE = "alexnet-column-step";
    /** Images per inference pass: no more than a training minibatch holds (the paper's 128). */
    static final int MAX_INFERENCE_BATCH = 128;
    private final ComputationGraph graph;
    private final ColumnPlan plan;
    private final int[] devices;
    private final Exchange exchange;
    private final ExecutorService[] threads = new ExecutorService[2];
    private final Column[] columns = new Column[2];
    private final List<List<ParamUpdate.Slice>> slices = new ArrayList<>();
    private final boolean[] replica = new boolean[2];
    /** False for an inference-only executor: no gradients, no momentum. */
    private final boolean training;
    private boolean closed;
    private volatile StepProfile profile;

    /**
     * @param graph   the canonical two-column graph, as {@link org.alexnet.model.AlexNet#build} makes it
     * @param config  its configuration (must be the two-column net)
     * @param devices ND4J devices of column A and column B; one device holds both
     */
    public ColumnExecutor(ComputationGraph graph, AlexNetConfig config, List<Integer> devices) {
        this(graph, config, devices, false);
    }

    /** Both columns on the calling thread's device (the CPU, or the current GPU). */
    public static ColumnExecutor onCurrentDevice(ComputationGraph graph, AlexNetConfig config) {
        return new ColumnExecutor(graph, config, List.of(Nd4j.getAffinityManager().getDeviceForCurrentThread()));
    }

    /**
     * An executor that only infers ({@link #output}, {@link #activations}; {@link #fit} refuses):
     * it allocates no gradient or momentum vectors (each as large as the parameters) and its
     * replicas, if any, copy parameters only.
     *
     * @param devices ND4J devices of column A and column B, one for both, or none for the
     *                calling thread's device
     */
    public static ColumnExecutor forInference(ComputationGraph graph, AlexNetConfig config, List<Integer> devices) {
        List<Integer> placed = devices.isEmpty()
                ? List.of(Nd4j.getAffinityManager().getDeviceForCurrentThread()) : devices;
        return new ColumnExecutor(graph, config, placed, false, false);
    }

    /**
     * @param forceReplicas tests only: drive column B through a replica even when it shares the
     *                      canonical graph's device, to exercise the multi-device load/write-back
     *                      path on the CPU backend
     */
    ColumnExecutor(ComputationGraph graph, AlexNetConfig config, List<Integer> devices, boolean forceReplicas) {
        this(graph, config, devices, forceReplicas, true);
    }

    private ColumnExecutor(ComputationGraph graph, AlexNetConfig config, List<Integer> devices, boolean forceReplicas,
                           boolean training) {
        if (config.columns() != 2) {
            throw new IllegalArgumentException("the column executor runs the two-column net; model.columns is "
                    + config.columns());
        }
        this.graph = graph;
        this.plan = ColumnPlan.of(graph);
        this.devices = placement(devices);
        boolean cpu = isCpuBackend();
        if (cpu) {
            warnWithoutOneDnn();
        }
        this.exchange = new Exchange(this.devices, !cpu);
        this.training = training;
        if (training) {
            if (graph.getGradientsViewArray() == null) {
                graph.initGradientsView();
            }
            ParamUpdate.checkLayout(graph);
        }
        int home = Nd4j.getAffinityManager().getDeviceForArray(graph.params());
        for (int c = 0; c < 2; c++) {
            int device = this.devices[c];
            int col = c;
            String name = "alexnet-column-" + (c == 0 ? "A" : "B");
            threads[c] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(() -> {
                    // bind this column's thread to its device before it runs any ND4J op
                    Nd4j.getAffinityManager().unsafeSetDevice(device);
                    if (cpu) {
                        shareCores(col);
                    }
                    r.run();
                }, name);
                t.setDaemon(true);
                return t;
            });
            replica[c] = (!cpu && device != home) || (forceReplicas && c == 1);
        }
        for (int c = 0; c < 2; c++) {
            int col = c;
            long seed = config.seed() * 31 + c + 1;
            Set<String> names = new HashSet<>();
            new Column(c, graph, plan, exchange).allSteps().forEach(s -> names.add(s.layer()));
            slices.add(ParamUpdate.slices(graph, names));
            columns[c] = call(c, () -> {
                Nd4j.getRandom().setSeed(seed); // each column draws its own dropout masks
                ComputationGraph own = replica[col] ? newReplica() : graph;
                return new Column(col, own, plan, exchange);
            });
        }
        reload();
    }

    /**
     * One training step on a minibatch (one input, one label array), equal to
     * {@code graph.fit(batch)}: forward, backward and the classical-momentum update in both
     * columns, then the graph's iteration count goes up by one.
     *
     * @return the mean cross-entropy of the minibatch before the update (the graph's score)
     */
    public double fit(MultiDataSet batch) {
        if (batch.numFeatureArrays() != 1 || batch.numLabelsArrays() != 1) {
            throw new IllegalArgumentException("one input and one label array expected");
        }
        return fit(batch.getFeatures(0), batch.getLabels(0));
    }

    /** {@link #fit(MultiDataSet)} on an image batch [n, 3, side, side] and one-hot labels [n, classes]. */
    public double fit(INDArray images, INDArray labels) {
        if (closed) {
            throw new IllegalStateException("column executor closed");
        }
        if (!training) {
            throw new IllegalStateException("this column executor was built for inference only");
        }
        int iteration = graph.getIterationCount();
        int epoch = graph.getEpochCount();
        int batchSize = (int) labels.size(0);
        double regularization = graph.calcRegularizationScore(true);
        List<Future<Double>> steps = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            Column column = columns[c];
            List<ParamUpdate.Slice> own = slices.get(c);
            int device = devices[c];
            steps.add(submitStep(c, () -> {
                double loss = column.forwardBackward(onDevice(images, device), onDevice(labels, device),
                        regularization);
                long t = System.nanoTime();
                ParamUpdate.apply(column.graph(), graph, own, batchSize, iteration, epoch);
                if (profile != null) {
                    profile.add(column.index(), "update", t);
                }
                return loss;
            }));
        }
        double loss = join(steps).get(0);
        if (profile != null) {
            profile.stepDone();
        }
        graph.getConfiguration().setIterationCount(iteration + 1);
        graph.setScore(loss);
        return loss;
    }

    /**
     * Inference on an image batch [n, 3, side, side]: both columns forward, without dropout,
     * exchanging where a training step does; returns fc8's softmax output [n, classes], what
     * {@code graph.outputSingle(false, images)} gives for the same parameters (call
     * {@link #reload()} first if the canonical parameters changed and replicas are in use).
     */
    public INDArray output(INDArray images) {
        String out = plan.output().layer();
        return activations(images, List.of(out)).get(out);
    }

    /**
     * Inference like {@link #output}, keeping the outputs of the named layers: a column layer by
     * its name without the column letter ("conv1", "fc7": column A's maps or units, then column
     * B's, along dimension 1, as the next layer that reads both columns sees them; "fc7" is the
     * paper's 4096-wide last hidden layer) and the output layer by its own name ("fc8", the
     * softmax). Each is what the graph's {@code feedForward(images, false)} computes for the
     * layer ("fc7a" and "fc7b" side by side). Batches larger than one inference pass are split.
     *
     * @return layer name to activations [n, ...], in the order asked
     */
    public Map<String, INDArray> activations(INDArray images, Collection<String> layers) {
        if (closed) {
            throw new IllegalStateException("column executor closed");
        }
        Set<String> wanted = new LinkedHashSet<>(layers);
        List<String> known = layerNames();
        for (String layer : wanted) {
            if (!known.contains(layer)) {
                throw new IllegalArgumentException("no layer '" + layer + "' in the column executor's net; its layers: "
                        + known);
            }
        }
        long n = images.size(0);
        if (n > MAX_INFERENCE_BATCH) {
            // bounded memory: 10-view evaluation hands over batch x 10 views at once
            Map<String, List<INDArray>> parts = new LinkedHashMap<>();
            for (long from = 0; from < n; from += MAX_INFERENCE_BATCH) {
                long to = Math.min(n, from + MAX_INFERENCE_BATCH);
                INDArray slice = images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to)).dup();
                activations(slice, wanted).forEach((k, v) -> parts.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            }
            Map<String, INDArray> joined = new LinkedHashMap<>();
            parts.forEach((k, v) -> joined.put(k, Nd4j.concat(0, v.toArray(new INDArray[0]))));
            return joined;
        }
        List<Future<Map<String, INDArray>>> outputs = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            Column column = columns[c];
            int device = devices[c];
            outputs.add(submitStep(c, () -> column.infer(onDevice(images, device), wanted)));
        }
        List<Map<String, INDArray>> byColumn = join(outputs);
        Map<String, INDArray> out = new LinkedHashMap<>();
        int home = devices[0];
        for (String layer : wanted) {
            INDArray a = byColumn.get(0).get(layer);
            INDArray b = byColumn.get(1).get(layer);
            out.put(layer, b == null ? a : Nd4j.concat(1, a, onDevice(b, home)));
        }
        return out;
    }

    /**
     * The names {@link #activations} answers to, in forward order: each column layer without its
     * column letter, then the output layer.
     */
    public List<String> layerNames() {
        return columns[0].layerNames();
    }

    /** Copies the replicas' parameters and momentum into the canonical graph (no-op without replicas). */
    public void writeBack() {
        for (int c = 0; c < 2; c++) {
            if (replica[c]) {
                ComputationGraph from = columns[c].graph();
                int col = c;
                call(c, () -> {
                    copy(from, graph, slices.get(col), Nd4j.getAffinityManager().getDeviceForArray(graph.params()), training);
                    return null;
                });
            }
        }
    }

    /** Loads the canonical graph's parameters and momentum into the replicas (no-op without replicas). */
    /**
     * Reseeds each column thread's random generator (dropout masks) from {@code seed}, so a run
     * that reuses this executor draws the same masks as one that built it afresh: the training
     * job reseeds per (seed, epoch, round, worker) for exact resume.
     */
    public void reseed(long seed) {
        for (int c = 0; c < 2; c++) {
            long columnSeed = seed * 31 + c + 1;
            call(c, () -> {
                Nd4j.getRandom().setSeed(columnSeed);
                return null;
            });
        }
    }

    public void reload() {
        for (int c = 0; c < 2; c++) {
            if (replica[c]) {
                ComputationGraph to = columns[c].graph();
                int col = c;
                call(c, () -> {
                    copy(graph, to, slices.get(col), devices[col], training);
                    return null;
                });
            }
        }
    }

    /**
     * Starts recording where each column's time goes (per layer forward/backward, exchanges,
     * update); the benchmark prints it. Costs two clock reads per layer.
     */
    public StepProfile profile() {
        StepProfile p = new StepProfile();
        for (Column c : columns) {
            c.profile(p);
        }
        profile = p;
        return p;
    }

    /** The exchange points' transfer counts (for tests and logs). */
    public Exchange exchange() {
        return exchange;
    }

    /** The exchange points in forward order: conv3, fc6, fc7, fc8 for the paper's net. */
    public List<String> exchangePoints() {
        return plan.exchangePoints();
    }

    /** Device of column A and of column B. */
    public int[] devices() {
        return devices.clone();
    }

    /** Whether column c drives a replica on its own device (rather than the canonical graph's layers). */
    public boolean usesReplica(int column) {
        return replica[column];
    }

    /** False once closed, or after a column failed (the executor is unusable then). */
    public boolean isOpen() {
        return !closed;
    }

    /** Stops the column threads (does not write back: call {@link #writeBack()} first if needed). */
    @Override
    public void close() {
        closed = true;
        for (ExecutorService t : threads) {
            if (t != null) {
                t.shutdownNow();
            }
        }
    }

    /** A copy of the canonical graph on the calling thread's device, with its own updater state when training. */
    private ComputationGraph newReplica() {
        ComputationGraph r = new ComputationGraph(graph.getConfiguration().clone());
        r.init();
        if (training) {
            r.initGradientsView();
            ParamUpdate.checkLayout(r); // initialise the state now, so DL4J never zeroes it later
        }
        return r;
    }

    /** Copies parameters (and, when training, updater state) of the given slices, onto {@code device}. */
    private static void copy(ComputationGraph from, ComputationGraph to, List<ParamUpdate.Slice> slices, int device,
                             boolean withState) {
        INDArray[] src = withState ? new INDArray[] {flat(from.params()), flat(from.getUpdater().getStateViewArray())}
                : new INDArray[] {flat(from.params())};
        INDArray[] dst = withState ? new INDArray[] {flat(to.params()), flat(to.getUpdater().getStateViewArray())}
                : new INDArray[] {flat(to.params())};
        boolean sameDevice = isCpuBackend()
                || Nd4j.getAffinityManager().getDeviceForArray(src[0]) == device;
        for (int k = 0; k < src.length; k++) {
            for (ParamUpdate.Slice s : slices) {
                var range = org.nd4j.linalg.indexing.NDArrayIndex.interval(s.offset(), s.offset() + s.length());
                INDArray part = src[k].get(range);
                dst[k].get(range).assign(sameDevice ? part : Nd4j.getAffinityManager().replicateToDevice(device, part));
            }
        }
    }

    private static INDArray flat(INDArray a) {
        return a.reshape(a.length());
    }

    private static INDArray onDevice(INDArray a, int device) {
        if (isCpuBackend() || Nd4j.getAffinityManager().getDeviceForArray(a) == device) {
            return a;
        }
        return Nd4j.getAffinityManager().replicateToDevice(device, a);
    }

    /**
     * On the CPU both columns compute at once, so each column thread's native kernels (oneDNN
     * runs on OpenMP) get half the cores: with every kernel using all cores the two columns'
     * thread teams spin against each other and a step takes 2-5x longer (measured, see
     * docs/performance.md). OpenMP's thread count is per calling thread.
     */
    private static void shareCores(int column) {
        int cores = Math.max(1, Nd4j.getEnvironment().maxThreads());
        org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(Math.max(1, cores / 2));
        if (Boolean.getBoolean("alexnet.columns.bind")) {
            org.alexnet.model.layers.NativeKernels.bindToShare(column, 2);
        }
    }

    /**
     * The generic nd4j-native build computes convolutions and pooling without oneDNN, ~5x slower;
     * JavaCPP loads the oneDNN build only when the JVM is told to.
     */
    private static void warnWithoutOneDnn() {
        String build = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        if (build == null || !build.contains("HAVE_ONEDNN")) {
            org.slf4j.LoggerFactory.getLogger(ColumnExecutor.class).warn("ND4J's native library is the generic "
                    + "build, without oneDNN: a training step takes several times longer. Start this JVM with "
                    + "-Dorg.bytedeco.javacpp.platform.extension=-onednn (conf/jvm-options; on a cluster, "
                    + "spark.executor.extraJavaOptions, see deploy/conf/spark-defaults-cpu.conf)");
        }
    }

    private static boolean isCpuBackend() {
        return "CPU".equalsIgnoreCase(Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend"));
    }

    /** Validates the caller's device list: one or two devices the backend has. */
    private static int[] placement(List<Integer> devices) {
        int available = Nd4j.getAffinityManager().getNumberOfDevices();
        if (devices == null || devices.isEmpty() || devices.size() > 2) {
            throw new IllegalArgumentException("impossible placement " + devices + ": the two columns need one or two "
                    + "devices (the backend has " + available + ")");
        }
        for (Integer d : devices) {
            if (d == null || d < 0 || d >= available) {
                throw new IllegalArgumentException("impossible placement " + devices + ": device " + d
                        + " does not exist; the " + Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend")
                        + " backend has device(s) 0.." + (available - 1));
            }
        }
        return new int[] {devices.get(0), devices.get(devices.size() - 1)};
    }

    /**
     * Runs one column's share of a step on its thread: every array of the step lives in that
     * thread's workspace, reused step after step; what the layers kept is released afterwards.
     */
    private <T> Future<T> submitStep(int c, Callable<T> step) {
        Column column = columns[c];
        return threads[c].submit(() -> {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_MEMORY, STEP_WORKSPACE)) {
                return step.call();
            } finally {
                column.clear();
            }
        });
    }

    private <T> T call(int column, Callable<T> task) {
        return join(List.of(threads[column].submit(task))).get(0);
    }

    /**
     * Waits for all; as soon as one column fails, interrupts the other (which may be waiting for
     * it at an exchange) and throws. The executor is unusable afterwards.
     */
    private <T> List<T> join(List<Future<T>> futures) {
        try {
            while (true) {
                boolean allDone = true;
                for (Future<T> f : futures) {
                    if (!f.isDone()) {
                        allDone = false;
                    } else if (!f.isCancelled()) {
                        f.get(); // throws if this column failed
                    }
                }
                if (allDone) {
                    List<T> out = new ArrayList<>();
                    for (Future<T> f : futures) {
                        out.add(f.get());
                    }
                    return out;
                }
                Thread.sleep(1);
            }
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            closed = true;
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("column step failed", cause);
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            closed = true;
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the columns were training", e);
        }
    }
}
