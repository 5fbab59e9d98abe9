package org.alexnet.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.alexnet.model.AlexNetConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The model file format: what a model and a checkpoint hold and give back, that nothing in them
 * is Java-serialized, and that hostile, damaged, newer and earlier-format files are refused
 * quickly with a message that says what is wrong.
 */
class ModelArchiveTest {
    private static final Duration REFUSAL = Duration.ofSeconds(1);
    private static AlexNetConfig config;
    private static ComputationGraph graph;
    private static byte[] model;
    private static byte[] checkpoint;

    /** A resume state of the checkpoint tests: any record. */
    record State(int nextEpoch, List<String> notes) {
    }

    @BeforeAll
    static void writeAModelAndACheckpoint() throws IOException {
        config = TestArchives.tiny(5);
        graph = TestArchives.trained(config);
        model = TestArchives.bytes(TestArchives.model(graph, config));
        checkpoint = TestArchives.bytes(TestArchives.checkpoint(graph, config, new State(3, List.of("a", "b"))));
    }

    @Test
    void aModelGivesBackItsConfigurationClassesStatisticsProvenanceAndNetwork() throws IOException {
        ModelArchive a = TestArchives.read(model);
        assertEquals(ModelArchive.Kind.MODEL, a.kind());
        assertEquals(config, a.model(), "the model configuration");
        assertEquals(TestArchives.job(config), a.jobConfig(), "the job configuration");
        assertEquals(TestArchives.classes(5), a.classes(), "the class list");
        assertArrayEquals(TestArchives.stats().meanImage(), a.stats().meanImage(), "the mean image");
        assertArrayEquals(TestArchives.stats().eigenvectors(), a.stats().eigenvectors(), "the PCA basis");
        assertEquals(TestArchives.stats().count(), a.stats().count());
        Provenance p = a.provenance();
        Provenance expected = TestArchives.provenance(5);
        assertEquals(expected.dataset(), p.dataset(), "provenance: the dataset");
        assertEquals(expected.lastEpoch(), p.lastEpoch(), "provenance: the last epoch's metrics");
        assertEquals(expected.trainedBy(), p.trainedBy(), "provenance: how it was trained");
        assertTrue(a.momentum().isEmpty(), "a model carries no momentum");
        assertTrue(a.resumeState(State.class).isEmpty(), "nor a resume state");
        ComputationGraph loaded = a.graph();
        assertEquals(graph.params(), loaded.params(), "the parameters");
        INDArray input = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3, config.inputSize(),
                config.inputSize());
        assertEquals(graph.outputSingle(false, input), loaded.outputSingle(false, input),
                "the rebuilt network computes the same outputs");
    }

    @Test
    void aCheckpointAlsoGivesBackMomentumAndItsResumeState() throws IOException {
        ModelArchive a = TestArchives.read(checkpoint);
        assertEquals(ModelArchive.Kind.CHECKPOINT, a.kind());
        assertEquals(new State(3, List.of("a", "b")), a.resumeState(State.class).orElseThrow(), "the typed resume state");
        INDArray momentum = graph.getUpdater().getStateViewArray();
        assertTrue(momentum.sumNumber().doubleValue() != 0, "the test's momentum is not trivially zero");
        assertEquals(momentum, a.momentum().orElseThrow().reshape(momentum.shape()), "the momentum");
        assertEquals(momentum, a.graph().getUpdater().getStateViewArray(), "loaded into the rebuilt graph");
    }

    @Test
    void noEntryOfAModelOrCheckpointIsJavaSerialized() throws IOException {
        for (byte[] file : List.of(model, checkpoint)) {
            Map<String, byte[]> entries = TestArchives.entries(file);
            assertTrue(entries.size() >= 8, "the archive's entries: " + entries.keySet());
            entries.forEach((name, content) -> assertFalse(content.length >= 2 && (content[0] & 0xff) == 0xAC
                    && (content[1] & 0xff) == 0xED, name + " starts with Java serialization's stream magic 0xACED"));
        }
    }

    @Test
    void everyEntryReplacedByASerializedBombOrForbiddenObjectIsRefusedWithinASecond() throws IOException {
        TestArchives.Tripwire.deserialized = false;
        for (byte[] file : List.of(model, checkpoint)) {
            for (String entry : TestArchives.entries(file).keySet()) {
                for (byte[] payload : List.of(TestArchives.hashSetBomb(), TestArchives.forbiddenObject())) {
                    byte[] hostile = TestArchives.withEntry(file, entry, payload);
                    long t0 = System.nanoTime();
                    IOException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                            () -> assertThrows(IOException.class, () -> TestArchives.read(hostile).graph()),
                            entry + " replaced by a payload: refused, not deserialized");
                    double ms = (System.nanoTime() - t0) / 1e6;
                    assertTrue(ms < REFUSAL.toMillis(), entry + ": refused in " + ms + " ms");
                    assertTrue(e.getMessage().contains(entry) || e.getMessage().contains("not an AlexNet model file"),
                            "the message names the entry: " + e.getMessage());
                }
            }
        }
        assertFalse(TestArchives.Tripwire.deserialized, "no payload object was ever deserialized");
    }

    @Test
    void aTextEntryHoldingJavaSerializedDataIsNamedAsSuch() throws IOException {
        byte[] hostile = TestArchives.withEntry(model, ModelArchive.CLASSES_ENTRY, TestArchives.hashSetBomb());
        IOException e = assertThrows(IOException.class, () -> TestArchives.read(hostile));
        assertTrue(e.getMessage().contains("classes.json holds a Java serialization stream (magic 0xACED), which is "
                + "never deserialized"), e.getMessage());
    }

    @Test
    void aNewerFormatVersionIsRefusedSayingSo() throws IOException {
        ObjectNode header = header(model);
        header.put("version", ModelArchive.VERSION + 1);
        IOException e = assertThrows(IOException.class, () -> TestArchives.read(withHeader(model, header)));
        assertInstanceOf(UnsupportedModelFileException.class, e);
        assertTrue(e.getMessage().contains("format version 2, newer than this program reads (up to 1)"), e.getMessage());
    }

    @Test
    void aTruncatedOrAlteredFileIsRefused() throws IOException {
        // cuts inside entries (a cut in the zip's trailing central directory alone loses nothing:
        // every entry is read and CRC-checked as it streams, and every entry must be there)
        for (int length : new int[] {0, 10, model.length / 3, model.length / 2, model.length - 2000}) {
            byte[] cut = java.util.Arrays.copyOf(model, length);
            assertThrows(IOException.class, () -> TestArchives.read(cut), "a file cut at " + length + " bytes");
        }
        byte[] altered = model.clone();
        altered[altered.length - 20_000] ^= 1; // inside the parameters
        IOException e = assertThrows(IOException.class, () -> TestArchives.read(altered));
        assertTrue(e.getMessage().contains("CRC"), "a flipped bit fails the entry's checksum: " + e.getMessage());
    }

    @Test
    void aParameterLayoutThisVersionDoesNotBuildIsRefused() throws IOException {
        ObjectNode header = header(model);
        // conv1a's weight [out, in, kh, kw] stored as [kw, kh, in, out]: the same count, another layout
        ArrayNode shape = null;
        for (var param : header.get("layout")) {
            if (shape == null && param.get("param").asText().equals("W")) {
                shape = (ArrayNode) param.get("shape");
            }
        }
        List<com.fasterxml.jackson.databind.JsonNode> dims = new java.util.ArrayList<>();
        shape.forEach(dims::add);
        java.util.Collections.reverse(dims);
        shape.removeAll().addAll(dims);
        IOException e = assertThrows(IOException.class, () -> TestArchives.read(withHeader(model, header)).graph());
        assertTrue(e.getMessage().contains("parameter layout differs"), e.getMessage());
    }

    private static ObjectNode header(byte[] archive) throws IOException {
        return (ObjectNode) ArchiveJson.MAPPER.readTree(TestArchives.entries(archive).get(ModelArchive.FORMAT_ENTRY));
    }

    private static byte[] withHeader(byte[] archive, ObjectNode header) throws IOException {
        return TestArchives.withEntry(archive, ModelArchive.FORMAT_ENTRY, ArchiveJson.write(header));
    }

    @Test
    void aModelOfTheEarlierFormatIsRefusedWithHowToConvertItAndConverts(@TempDir Path dir) throws Exception {
        Path legacy = dir.resolve("old-model.zip");
        writeLegacy(legacy, Map.of());
        IOException e = assertThrows(IOException.class, () -> ModelArchive.open(legacy));
        assertInstanceOf(UnsupportedModelFileException.class, e);
        assertTrue(e.getMessage().contains("earlier version") && e.getMessage().contains("deploy/alexnet convert-model"),
                e.getMessage());

        Path converted = dir.resolve("model.zip");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ConvertModel.run(new String[] {"--input", legacy.toString(), "--output", converted.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
        assertEquals(0, exit, err.toString());
        ModelArchive a = ModelArchive.open(dir);
        assertEquals(graph.params(), a.graph().params(), "the converted model's parameters");
        assertEquals(config, a.model());
        assertEquals(TestArchives.classes(5), a.classes());
        assertArrayEquals(TestArchives.stats().meanImage(), a.stats().meanImage());
        assertEquals(legacy.toString(), a.provenance().convertedFrom(), "the provenance says where it came from");
    }

    @Test
    void convertingRefusesABombOrAForbiddenClassWithinASecond(@TempDir Path dir) throws Exception {
        TestArchives.Tripwire.deserialized = false;
        for (String entry : List.of("alexnet-config", "alexnet-dataset-stats")) {
            for (byte[] payload : List.of(TestArchives.hashSetBomb(), TestArchives.forbiddenObject())) {
                Path legacy = dir.resolve("hostile.zip");
                writeLegacy(legacy, Map.of(entry, payload));
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                long t0 = System.nanoTime();
                int exit = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> ConvertModel.run(new String[] {
                    "--input", legacy.toString(), "--output", dir.resolve("out.zip").toString()},
                        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true)));
                double ms = (System.nanoTime() - t0) / 1e6;
                assertEquals(2, exit, err.toString());
                assertTrue(ms < REFUSAL.toMillis(), "refused in " + ms + " ms");
                assertTrue(err.toString().contains("objects/" + entry + " was refused by the deserialization allow-list"),
                        err.toString());
                assertFalse(Files.exists(dir.resolve("out.zip")), "nothing is written");
            }
        }
        assertFalse(TestArchives.Tripwire.deserialized, "no payload object was ever deserialized");
    }

    /**
     * A model.zip as the project wrote it before this format: DL4J's ModelSerializer zip with
     * Java-serialized extra entries, some replaced by the given serialized payloads.
     */
    private static void writeLegacy(Path file, Map<String, byte[]> replaced) throws IOException {
        ModelSerializer.writeModel(graph, file.toFile(), false);
        StringBuilder classes = new StringBuilder();
        TestArchives.classes(5).forEach(c -> classes.append(c.index()).append('\t').append(c.wnid()).append('\t')
                .append(c.name()).append('\n'));
        StringBuilder job = new StringBuilder();
        TestArchives.job(config).forEach((k, v) -> job.append(k).append(" = ").append(v).append('\n'));
        Map<String, Object> objects = Map.of("alexnet-config", config.toConfig().toPropertiesText(),
                "job-config", job.toString(), "alexnet-classes", classes.toString(),
                "alexnet-dataset-stats", TestArchives.stats());
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>(TestArchives.entries(Files.readAllBytes(file)));
        for (Map.Entry<String, Object> o : objects.entrySet()) {
            byte[] content = replaced.containsKey(o.getKey()) ? replaced.get(o.getKey())
                    : TestArchives.serialized(o.getValue());
            entries.put("objects/" + o.getKey(), content);
        }
        Files.write(file, TestArchives.zip(entries));
    }
}
