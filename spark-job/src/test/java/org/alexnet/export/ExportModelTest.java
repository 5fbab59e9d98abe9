package org.alexnet.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alexnet.archive.ModelArchive;
import org.alexnet.archive.TestArchives;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetStats;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code export --format safetensors}, read back with a parser written here from the format's
 * description (not the writer's code): header length, JSON header, aligned contiguous offsets,
 * shapes of the PyTorch two-column AlexNet, and every value against the model's own parameters
 * (conv weights as they are, dense weights transposed, columns concatenated).
 */
class ExportModelTest {
    @TempDir
    Path dir;

    /** A parsed safetensors file: metadata and tensors (as float arrays in row-major order). */
    record Parsed(Map<String, String> metadata, Map<String, long[]> shapes, Map<String, float[]> values,
                  List<String> order) {
    }

    static Parsed parse(byte[] file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = b.getLong(0);
        assertEquals(0, (8 + headerLength) % 8, "the data starts 8-byte aligned");
        String headerText = new String(file, 8, (int) headerLength, StandardCharsets.UTF_8);
        JsonNode header = new ObjectMapper().readTree(headerText.stripTrailing());
        Map<String, String> metadata = new LinkedHashMap<>();
        header.get("__metadata__").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        long dataStart = 8 + headerLength;
        long expectedBegin = 0;
        var fields = header.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            if (f.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode t = f.getValue();
            assertEquals("F32", t.get("dtype").asText(), f.getKey());
            long[] shape = new long[t.get("shape").size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get("shape").get(i).asLong();
                count *= shape[i];
            }
            long begin = t.get("data_offsets").get(0).asLong();
            long end = t.get("data_offsets").get(1).asLong();
            assertEquals(expectedBegin, begin, f.getKey() + " starts where the previous tensor ended");
            assertEquals(count * 4, end - begin, f.getKey() + "'s bytes are its shape's elements");
            float[] v = new float[(int) count];
            b.position((int) (dataStart + begin));
            b.asFloatBuffer().get(v);
            shapes.put(f.getKey(), shape);
            values.put(f.getKey(), v);
            order.add(f.getKey());
            expectedBegin = end;
        }
        assertEquals(file.length - dataStart, expectedBegin, "the tensors fill the file to its end");
        return new Parsed(metadata, shapes, values, order);
    }

    private Parsed export(AlexNetConfig config, ComputationGraph graph) throws Exception {
        Files.write(dir.resolve(ModelArchive.MODEL_FILE), TestArchives.bytes(TestArchives.model(graph, config)));
        Path output = dir.resolve("alexnet.safetensors");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ExportModel.run(new String[] {"--model", dir.toString(), "--format", "safetensors", "--output",
            output.toString()}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
        assertEquals(0, exit, err.toString());
        return parse(Files.readAllBytes(output));
    }

    @Test
    void theTwoColumnNetBecomesPyTorchsGroupedLayersWithEveryValueInPlace() throws Exception {
        AlexNetConfig config = TestArchives.tiny(5);
        ComputationGraph graph = TestArchives.trained(config);
        Parsed p = export(config, graph);
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight", "conv3.bias",
                "conv4.weight", "conv4.bias", "conv5.weight", "conv5.bias", "fc6.weight", "fc6.bias", "fc7.weight",
                "fc7.bias", "fc8.weight", "fc8.bias", "mean_image"), p.order(), "PyTorch's state_dict names");
        int c1 = config.scaled(48);
        int c2 = config.scaled(128);
        int c3 = config.scaled(192);
        int c5 = config.scaled(128);
        int fc = config.scaled(2048);
        int flat = 2 * c5 * config.pool5Side() * config.pool5Side();
        assertShape(p, "conv1.weight", 2 * c1, 3, 11, 11);
        assertShape(p, "conv2.weight", 2 * c2, c1, 5, 5); // groups=2: each group reads its column's c1 maps
        assertShape(p, "conv3.weight", 2 * c3, 2 * c2, 3, 3); // reads both columns
        assertShape(p, "conv4.weight", 2 * c3, c3, 3, 3);
        assertShape(p, "conv5.weight", 2 * c5, c3, 3, 3);
        assertShape(p, "fc6.weight", 2 * fc, flat);
        assertShape(p, "fc7.weight", 2 * fc, 2 * fc);
        assertShape(p, "fc8.weight", 5, 2 * fc);
        assertShape(p, "fc8.bias", 5);
        assertShape(p, "mean_image", 3, 256, 256);

        for (String conv : List.of("conv1", "conv2", "conv3", "conv4", "conv5")) {
            // [out, in, kh, kw] in both: column A's outputs, then column B's
            float[] w = p.values().get(conv + ".weight");
            float[] a = graph.getLayer(conv + "a").getParam("W").dup('c').data().asFloat();
            float[] b = graph.getLayer(conv + "b").getParam("W").dup('c').data().asFloat();
            assertEquals(a.length + b.length, w.length);
            for (int i = 0; i < w.length; i++) {
                assertEquals(i < a.length ? a[i] : b[i - a.length], w[i], conv + ".weight[" + i + "]");
            }
            float[] bias = p.values().get(conv + ".bias");
            INDArray ba = graph.getLayer(conv + "a").getParam("b");
            for (int o = 0; o < bias.length; o++) {
                float expected = o < ba.length() ? ba.getFloat(o) : graph.getLayer(conv + "b").getParam("b")
                        .getFloat(o - ba.length());
                assertEquals(expected, bias[o], conv + ".bias[" + o + "]");
            }
        }
        for (String dense : List.of("fc6", "fc7")) {
            // DL4J's [in, out] per column; PyTorch's [out, in] with column A's outputs first
            float[] w = p.values().get(dense + ".weight");
            long in = p.shapes().get(dense + ".weight")[1];
            INDArray wa = graph.getLayer(dense + "a").getParam("W");
            INDArray wb = graph.getLayer(dense + "b").getParam("W");
            for (int o = 0; o < 2 * fc; o++) {
                for (int i = 0; i < in; i++) {
                    float expected = o < fc ? wa.getFloat(i, o) : wb.getFloat(i, o - fc);
                    assertEquals(expected, w[(int) (o * in + i)], dense + ".weight[" + o + "][" + i + "]");
                }
            }
        }
        float[] fc8 = p.values().get("fc8.weight");
        INDArray w8 = graph.getLayer("fc8").getParam("W");
        for (int o = 0; o < 5; o++) {
            for (int i = 0; i < 2 * fc; i++) {
                assertEquals(w8.getFloat(i, o), fc8[o * 2 * fc + i], "fc8.weight[" + o + "][" + i + "]");
            }
        }
        DatasetStats stats = TestArchives.stats();
        float[] mean = p.values().get("mean_image");
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 256; y += 51) {
                for (int x = 0; x < 256; x += 17) {
                    assertEquals(stats.mean(y, x, c), mean[(c * 256 + y) * 256 + x], "mean_image[" + c + "][" + y + "][" + x + "]");
                }
            }
        }
        JsonNode arch = new ObjectMapper().readTree(p.metadata().get("alexnet.architecture"));
        assertEquals(2, arch.get("columns").asInt());
        assertEquals(config.lrnAlphaInPaperFormula() * config.lrnN(), arch.get("lrn").get("alpha").asDouble(), 1e-15,
                "PyTorch's LocalResponseNorm divides alpha by n");
        JsonNode classes = new ObjectMapper().readTree(p.metadata().get("alexnet.classes"));
        assertEquals(5, classes.size());
        assertEquals("n00000003", classes.get(3).get("wnid").asText());
        assertEquals("pt", p.metadata().get("format"));
        assertTrue(p.metadata().get("alexnet.provenance").contains("\"manifestSha256\""), "provenance travels along");
    }

    @Test
    void theOneColumnNetMapsLayerToLayer() throws Exception {
        AlexNetConfig config = AlexNetConfig.preset("tiny", Map.of("model.classes", "3", "model.columns", "1"));
        ComputationGraph graph = TestArchives.trained(config);
        Parsed p = export(config, graph);
        assertShape(p, "conv2.weight", config.scaled(128), config.scaled(48), 5, 5);
        float[] w = p.values().get("fc7.weight");
        INDArray w7 = graph.getLayer("fc7").getParam("W");
        long in = w7.size(0);
        assertEquals(w7.getFloat(5, 2), w[(int) (2 * in + 5)], "transposed");
    }

    /**
     * deploy/export/alexnet_torch.py computes the same probabilities as our model on the same
     * prepared input (runs where a python3 with torch is installed, e.g. Debian's python3-torch).
     */
    @Test
    void thePyTorchScriptComputesOurProbabilities() throws Exception {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder(python, "-c", "import torch")
                .redirectErrorStream(true).start().waitFor() == 0, "no python3 with torch here");
        AlexNetConfig config = TestArchives.tiny(5);
        ComputationGraph graph = TestArchives.trained(config);
        export(config, graph);
        int side = config.inputSize();
        INDArray input = org.nd4j.linalg.factory.Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 3, side, side)
                .muli(50);
        float[] ours = graph.outputSingle(false, input).dup('c').data().asFloat();
        Path tensor = dir.resolve("input.f32");
        ByteBuffer raw = ByteBuffer.allocate((int) input.length() * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(input.dup('c').data().asFloat());
        Files.write(tensor, raw.array());
        Path probabilities = dir.resolve("torch.f32");
        Process p = new ProcessBuilder(python, Path.of(System.getProperty("user.dir")).getParent()
                .resolve("deploy/export/alexnet_torch.py").toString(), dir.resolve("alexnet.safetensors").toString(),
                "--tensor", tensor.toString(), "--probabilities", probabilities.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        float[] theirs = new float[ours.length];
        ByteBuffer.wrap(Files.readAllBytes(probabilities)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(theirs);
        double max = 0;
        for (int i = 0; i < ours.length; i++) {
            max = Math.max(max, Math.abs(ours[i] - theirs[i]));
        }
        assertTrue(max < 1e-5, "PyTorch's probabilities differ from ours by up to " + max);
        System.out.println("PyTorch vs ours, tiny net, 3 random inputs: max |difference of probabilities| " + max);
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ExportModel.run(new String[] {"--model", dir.toString(), "--format", "onnx", "--output", "x"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
        assertEquals(2, exit);
        assertTrue(err.toString().contains("unknown --format 'onnx' (supported: safetensors)"), err.toString());
    }

    private static void assertShape(Parsed p, String name, long... shape) {
        assertEquals(java.util.Arrays.toString(shape), java.util.Arrays.toString(p.shapes().get(name)), name);
    }
}
