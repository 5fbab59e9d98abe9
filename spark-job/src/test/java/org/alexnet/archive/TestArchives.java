package org.alexnet.archive;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.alexnet.config.Config;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.bench.TrainStepBenchmark;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.train.TrainConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Archives for tests without a training run: a tiny net after one training step (so the momentum
 * is not zero), a synthetic class list and dataset statistics, and the hostile payloads the
 * readers must refuse.
 */
public final class TestArchives {
    private TestArchives() {
    }

    public static AlexNetConfig tiny(int classes) {
        return AlexNetConfig.preset("tiny", Map.of("model.classes", Integer.toString(classes)));
    }

    /** A tiny net after one step of training on a random batch. */
    public static ComputationGraph trained(AlexNetConfig config) {
        ComputationGraph graph = AlexNet.build(config);
        graph.fit(TrainStepBenchmark.randomBatch(config, 3, 5));
        return graph;
    }

    public static List<ClassName> classes(int n) {
        return IntStream.range(0, n).mapToObj(i -> new ClassName(i, String.format("n%08d", i), "class " + i)).toList();
    }

    public static DatasetStats stats() {
        Random r = new Random(7);
        float[] mean = new float[DatasetLayout.IMAGE_SIZE * DatasetLayout.IMAGE_SIZE * 3];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = 100 + 50 * r.nextFloat();
        }
        return new DatasetStats(96, mean, new double[] {120, 115, 100}, new double[] {9, 1, 0, 1, 8, 0, 0, 0, 7},
                new double[] {9.5, 7.8, 6.7}, new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, DatasetStats.PIXEL_SCALE_255);
    }

    public static Map<String, String> job(AlexNetConfig model) {
        Map<String, String> keys = new LinkedHashMap<>(Config.parsePropertiesText(model.toConfig().toPropertiesText()));
        keys.put("train.epochs", "2");
        return Config.parsePropertiesText(TrainConfig.SCHEMA.resolve(keys).toPropertiesText());
    }

    public static Provenance provenance(int classes) {
        return new Provenance("test", "unknown", new Provenance.Dataset("file:/data", "ab12", classes, 96), 1, 2,
                new Provenance.EpochMetrics(2, 1.2, 1.3, 0.5, 0.1, 0.01), null, Instant.EPOCH.toString(),
                Instant.now().toString(), null, null, new Provenance.Runtime("17", "1.0.0-M2.1", "CPU", "3.5.7"),
                new Provenance.TrainedBy("columns", "0", 2, "local[2]", "app-1"));
    }

    public static ModelArchive.Contents model(ComputationGraph graph, AlexNetConfig config) {
        return new ModelArchive.Contents(ModelArchive.Kind.MODEL, graph, config, job(config),
                classes(config.classes()), stats(), provenance(config.classes()), null);
    }

    /** A checkpoint with a small resume state of any record type. */
    public static ModelArchive.Contents checkpoint(ComputationGraph graph, AlexNetConfig config, Object state) {
        return new ModelArchive.Contents(ModelArchive.Kind.CHECKPOINT, graph, config, job(config),
                classes(config.classes()), stats(), provenance(config.classes()), state);
    }

    public static byte[] bytes(ModelArchive.Contents contents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelArchive.write(contents, out);
        return out.toByteArray();
    }

    public static ModelArchive read(byte[] archive) throws IOException {
        return ModelArchive.read(new ByteArrayInputStream(archive), "test.zip");
    }

    /** Every entry's content, in the zip's order. */
    public static Map<String, byte[]> entries(byte[] zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }

    /** The zip with one entry's content replaced (the others unchanged, in order). */
    public static byte[] withEntry(byte[] zip, String name, byte[] content) throws IOException {
        Map<String, byte[]> entries = entries(zip);
        if (!entries.containsKey(name)) {
            throw new IllegalArgumentException("no entry " + name);
        }
        entries.put(name, content);
        return zip(entries);
    }

    public static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /**
     * The nested-HashSet bomb (SerialDOS): 100 levels of sets sharing two children each; reading
     * it back calls hashCode about 2^100 times. Built here, never deserialized by the tests.
     */
    public static byte[] hashSetBomb() throws IOException {
        Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            Set<Object> t1 = new HashSet<>();
            Set<Object> t2 = new HashSet<>();
            t1.add("foo");
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        return serialized(root);
    }

    /** An object of a class no reader allows; deserializing it trips {@link Tripwire#deserialized}. */
    public static byte[] forbiddenObject() throws IOException {
        return serialized(new Tripwire());
    }

    public static byte[] serialized(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    /** Records that it was deserialized, as a gadget's readObject would run its payload. */
    public static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;
        public static volatile boolean deserialized;

        private void readObject(java.io.ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            deserialized = true;
        }
    }
}
