package org.alexnet.model.gpu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.columns.ColumnExecutor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The few training steps gpu-check runs on both backends: the small preset in fp32 without
 * dropout (each backend draws its own random numbers), from the same initial parameters and on
 * the same minibatches, both made on the Java side or read from files, never from a backend's
 * random generator. What crosses between the two JVMs is raw little-endian fp32 in a directory:
 * {@code params.f32} (initial), {@code images-K.f32}/{@code labels-K.f32} per step, and the
 * CPU's answer {@code cpu-params.f32} and {@code cpu-losses.txt}.
 */
final class CheckSteps {
    static final String PARAMS = "params.f32";
    static final String CPU_PARAMS = "cpu-params.f32";
    static final String CPU_LOSSES = "cpu-losses.txt";

    private CheckSteps() {
    }

    /** The configuration both backends train: the small preset, fp32, no dropout, 10 classes. */
    static AlexNetConfig config() {
        return AlexNetConfig.preset("small", Map.of("model.dropout", "0", "model.classes", "10"));
    }

    /** Writes the graph's initial parameters and {@code steps} minibatches of {@code batch} images into dir. */
    static void writeInputs(Path dir, ComputationGraph graph, int steps, int batch, long seed) throws IOException {
        AlexNetConfig c = config();
        write(dir.resolve(PARAMS), floats(graph.params()));
        Random random = new Random(seed);
        int pixels = 3 * c.inputSize() * c.inputSize();
        for (int k = 0; k < steps; k++) {
            float[] images = new float[batch * pixels];
            for (int i = 0; i < images.length; i++) {
                images[i] = (float) (random.nextGaussian() * 50); // mean-subtracted pixel scale
            }
            float[] labels = new float[batch * c.classes()];
            for (int i = 0; i < batch; i++) {
                labels[i * c.classes() + random.nextInt(c.classes())] = 1;
            }
            write(dir.resolve("images-" + k + ".f32"), images);
            write(dir.resolve("labels-" + k + ".f32"), labels);
        }
    }

    /**
     * Runs the steps found in dir with the column executor on the given devices, starting from
     * the parameters in dir; returns the loss of each step and leaves the trained parameters in
     * the graph.
     */
    static List<Double> run(Path dir, ComputationGraph graph, List<Integer> devices) throws IOException {
        AlexNetConfig c = config();
        float[] initial = read(dir.resolve(PARAMS));
        if (initial.length != graph.numParams()) {
            throw new IllegalStateException("initial parameters: " + initial.length + " values for " + graph.numParams());
        }
        graph.setParams(Nd4j.createFromArray(initial).reshape(1, initial.length));
        List<Double> losses = new ArrayList<>();
        try (ColumnExecutor columns = new ColumnExecutor(graph, c, devices)) {
            columns.reload();
            for (int k = 0; Files.exists(dir.resolve("images-" + k + ".f32")); k++) {
                float[] images = read(dir.resolve("images-" + k + ".f32"));
                float[] labels = read(dir.resolve("labels-" + k + ".f32"));
                int batch = labels.length / c.classes();
                losses.add(columns.fit(
                        Nd4j.createFromArray(images).reshape(batch, 3, c.inputSize(), c.inputSize()),
                        Nd4j.createFromArray(labels).reshape(batch, c.classes())));
            }
            columns.writeBack();
        }
        return losses;
    }

    /** A new graph of {@link #config()} on the current backend. */
    static ComputationGraph graph() {
        return AlexNet.build(config());
    }

    static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).reshape(a.length()).toFloatVector();
    }

    static void write(Path file, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        Files.write(file, b.array());
    }

    static float[] read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / Float.BYTES];
        b.asFloatBuffer().get(out);
        return out;
    }
}
