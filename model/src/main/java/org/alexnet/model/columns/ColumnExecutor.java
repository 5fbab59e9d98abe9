package org.alexnet.model.columns;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.Backend;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
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
 *
 * <p><b>Parts.</b> {@link ColumnPlan} (which layer runs in which column), {@link Column} (one
 * column's forward, backward and update), {@link Exchange} (the only place the columns talk),
 * {@link ColumnThreads} (a thread per column on its device, joined fail-fast),
 * {@link Placement} (the devices), {@link Replicas} (graphs on other devices), {@link StepMemory}
 * (the step's workspace), {@link InferencePasses} (inference in bounded passes) and
 * {@link CpuTuning}.
 */
public final class ColumnExecutor implements AutoCloseable {
    /** Images per inference pass: no more than a training minibatch holds (the paper's 128). */
    static final int MAX_INFERENCE_BATCH = 128;
    private final ComputationGraph graph;
    private final ColumnPlan plan;
    private final Placement placement;
    private final Exchange exchange;
    private final Replicas replicas;
    private final ColumnThreads threads;
    private final Column[] columns = new Column[2];
    /** False for an inference-only executor: no gradients, no momentum. */
    private final boolean training;
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
        this.placement = Placement.of(devices);
        boolean cpu = Backend.isCpu();
        if (cpu) {
            CpuTuning.warnWithoutOneDnn();
        }
        this.exchange = new Exchange(placement.devices(), !cpu);
        this.training = training;
        if (training) {
            if (graph.getGradientsViewArray() == null) {
                graph.initGradientsView();
            }
            ParamUpdate.checkLayout(graph);
        }
        this.replicas = new Replicas(graph, placement, training, forceReplicas);
        this.threads = new ColumnThreads(placement.devices(), cpu);
        try {
            for (int c = 0; c < 2; c++) {
                int column = c;
                columns[c] = threads.call(c, () -> {
                    Nd4j.getRandom().setSeed(dropoutSeed(config.seed(), column)); // each column draws its own masks
                    return new Column(column, replicas.graphFor(column), plan, exchange);
                });
            }
            reload();
        } catch (RuntimeException | Error e) {
            threads.close();
            throw e;
        }
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

    /**
     * {@link #fit(MultiDataSet)} on an image batch [n, 3, side, side] and one-hot labels [n, classes].
     * Should a column fail, the step ends at once with its exception and the executor is closed.
     */
    public double fit(INDArray images, INDArray labels) {
        requireOpen();
        if (!training) {
            throw new IllegalStateException("this column executor was built for inference only");
        }
        int iteration = graph.getIterationCount();
        int epoch = graph.getEpochCount();
        int batchSize = (int) labels.size(0);
        double regularization = graph.calcRegularizationScore(true);
        List<Double> losses = threads.onBoth(c -> () -> StepMemory.run(columns[c], () -> {
            Column column = columns[c];
            double loss = column.forwardBackward(placement.onDeviceOf(c, images), placement.onDeviceOf(c, labels),
                    regularization);
            column.update(graph, batchSize, iteration, epoch);
            return loss;
        }));
        double loss = losses.get(0); // column A computes the loss (fc8 is there)
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
        requireOpen();
        Set<String> wanted = new LinkedHashSet<>(layers);
        List<String> known = layerNames();
        for (String layer : wanted) {
            if (!known.contains(layer)) {
                throw new IllegalArgumentException("no layer '" + layer + "' in the column executor's net; its layers: "
                        + known);
            }
        }
        return InferencePasses.run(images, MAX_INFERENCE_BATCH, batch -> inferOnePass(batch, wanted));
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
            if (replicas.usedBy(c)) {
                Column column = columns[c];
                threads.call(c, () -> {
                    replicas.writeBack(column);
                    return null;
                });
            }
        }
    }

    /** Loads the canonical graph's parameters and momentum into the replicas (no-op without replicas). */
    public void reload() {
        for (int c = 0; c < 2; c++) {
            if (replicas.usedBy(c)) {
                Column column = columns[c];
                int device = placement.device(c);
                threads.call(c, () -> {
                    replicas.load(column, device);
                    return null;
                });
            }
        }
    }

    /**
     * Reseeds each column thread's random generator (dropout masks) from {@code seed}, so a run
     * that reuses this executor draws the same masks as one that built it afresh: the training
     * job reseeds per (seed, epoch, round, worker) for exact resume.
     */
    public void reseed(long seed) {
        for (int c = 0; c < 2; c++) {
            long columnSeed = dropoutSeed(seed, c);
            threads.call(c, () -> {
                Nd4j.getRandom().setSeed(columnSeed);
                return null;
            });
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
        return placement.devices();
    }

    /** Whether column c drives a replica on its own device (rather than the canonical graph's layers). */
    public boolean usesReplica(int column) {
        return replicas.usedBy(column);
    }

    /** False once closed, or after a column failed (the executor is unusable then). */
    public boolean isOpen() {
        return threads.isOpen();
    }

    /** Stops the column threads (does not write back: call {@link #writeBack()} first if needed). */
    @Override
    public void close() {
        threads.close();
    }

    /** One inference pass: each column's part of the wanted layers, both columns' parts joined on column A's device. */
    private Map<String, INDArray> inferOnePass(INDArray images, Set<String> wanted) {
        List<Map<String, INDArray>> byColumn = threads.onBoth(c -> () -> StepMemory.run(columns[c],
                () -> columns[c].infer(placement.onDeviceOf(c, images), wanted)));
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String layer : wanted) {
            INDArray a = byColumn.get(0).get(layer);
            INDArray b = byColumn.get(1).get(layer);
            out.put(layer, b == null ? a : Nd4j.concat(1, a, placement.onDeviceOf(0, b)));
        }
        return out;
    }

    private void requireOpen() {
        if (!threads.isOpen()) {
            throw new IllegalStateException("column executor closed (by close(), or when a column failed)");
        }
    }

    /** The seed of a column thread's random generator (dropout masks): the two columns draw different masks. */
    private static long dropoutSeed(long seed, int column) {
        return seed * 31 + column + 1;
    }
}
