package org.alexnet.archive;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.DatasetStats;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model.zip of the earlier format: DL4J's ModelSerializer zip whose extra entries
 * ({@code objects/alexnet-config}, {@code objects/job-config}, {@code objects/alexnet-classes},
 * {@code objects/alexnet-dataset-stats}) are Java-serialized. Read only to convert it
 * ({@code deploy/alexnet convert-model}), and only through {@link #FILTER}: an allow-list of
 * the four types such a file holds (String, DatasetStats and its float/double arrays) with tight
 * depth, reference, array and size limits, so a payload of any other class (a gadget, a
 * nested-collection bomb) is rejected at its first class descriptor, before anything of it is
 * built. The parameters are ND4J's binary array format (not Java serialization); DL4J's
 * configuration.json is not read: the graph is rebuilt from the project's configuration.
 */
final class LegacyModelFile {
    /** The types the old writer stored, and nothing else. */
    private static final Set<Class<?>> ALLOWED = Set.of(String.class, DatasetStats.class, float[].class, double[].class);
    private static final int MEAN_IMAGE_FLOATS = DatasetLayout.IMAGE_SIZE * DatasetLayout.IMAGE_SIZE * 3;
    private static final long MAX_OBJECT_BYTES = 64L << 20;

    /** The allow-list of {@link #object}: four types, depth 3, 64 references, the mean image's array size. */
    static final ObjectInputFilter FILTER = info -> {
        if (info.depth() > 3 || info.references() > 64 || info.arrayLength() > MEAN_IMAGE_FLOATS
                || info.streamBytes() > MAX_OBJECT_BYTES) {
            return ObjectInputFilter.Status.REJECTED;
        }
        Class<?> c = info.serialClass();
        if (c == null) {
            return ObjectInputFilter.Status.UNDECIDED;
        }
        return ALLOWED.contains(c) ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
    };

    private LegacyModelFile() {
    }

    /** The old file's content as the new format's, with provenance saying where it came from. */
    static ModelArchive.Contents read(java.nio.file.Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.getEntry("objects/training-state") != null) {
                throw new IOException(file + " is a checkpoint of the earlier format, which lacks the class list and "
                        + "dataset statistics a checkpoint now carries: it cannot be converted. Finish or resume that "
                        + "run with the version that wrote it and convert its model.zip, or start a new run");
            }
            AlexNetConfig model = modelConfig(object(zip, "objects/alexnet-config", String.class));
            Map<String, String> jobText = Config.parsePropertiesText(object(zip, "objects/job-config", String.class));
            List<ClassName> classes = classes(object(zip, "objects/alexnet-classes", String.class));
            DatasetStats stats = object(zip, "objects/alexnet-dataset-stats", DatasetStats.class);
            if (stats.meanImage() == null || stats.meanImage().length != MEAN_IMAGE_FLOATS) {
                throw new IOException("its dataset statistics have no 256x256x3 mean image");
            }
            ComputationGraph graph = new ComputationGraph(AlexNet.configuration(model));
            long expected = 0;
            for (var v : graph.getConfiguration().getVertices().values()) {
                if (v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv) {
                    expected += lv.getLayerConf().getLayer().initializer().numParams(lv.getLayerConf());
                }
            }
            INDArray params = ndArray(zip, "coefficients.bin", expected);
            graph.init(params.reshape(1, expected), true);
            Provenance provenance = new Provenance(BuildInfo.current().version(), BuildInfo.current().gitCommit(), null,
                    parseLong(jobText.get("train.seed")), (int) parseLong(jobText.get("train.epochs")), null, null,
                    null, Instant.now().toString(), null, file.toString(), null, null);
            return new ModelArchive.Contents(ModelArchive.Kind.MODEL, graph, model, jobText, classes, stats, provenance,
                    null);
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + " is not a readable zip: " + e.getMessage(), e);
        }
    }

    /** One Java-serialized entry, through the allow-list. */
    static <T> T object(ZipFile zip, String name, Class<T> type) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new IOException("no " + name + " entry: not an AlexNet model file of the earlier format");
        }
        try (ObjectInputStream in = new ObjectInputStream(zip.getInputStream(e))) {
            in.setObjectInputFilter(FILTER);
            Object o = in.readObject();
            if (!type.isInstance(o)) {
                throw new IOException("entry " + name + " holds a " + o.getClass().getName() + ", not a " + type.getName());
            }
            return type.cast(o);
        } catch (InvalidClassException ex) {
            throw new IOException("entry " + name + " was refused by the deserialization allow-list (only String, "
                    + "DatasetStats and their arrays, depth 3, 64 references): " + ex.getMessage(), ex);
        } catch (ClassNotFoundException ex) {
            throw new IOException("entry " + name + " names an unknown class: " + ex.getMessage(), ex);
        }
    }

    private static INDArray ndArray(ZipFile zip, String name, long expected) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new IOException("no " + name + " entry");
        }
        long limit = expected * Double.BYTES + 4096;
        try (InputStream raw = zip.getInputStream(e);
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(new BoundedStream(raw, limit)))) {
            INDArray a = Nd4j.read(in);
            if (a.length() != expected) {
                throw new IOException("entry " + name + " holds " + a.length() + " parameters; the configuration needs "
                        + expected);
            }
            return a;
        }
    }

    private static AlexNetConfig modelConfig(String text) throws IOException {
        try {
            return AlexNetConfig.from(AlexNetConfig.SCHEMA.resolve(Config.parsePropertiesText(text)));
        } catch (ConfigException e) {
            throw new IOException("objects/alexnet-config: " + e.getMessage(), e);
        }
    }

    private static List<ClassName> classes(String text) {
        List<ClassName> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                String[] f = line.split("\t", 3);
                out.add(new ClassName(Integer.parseInt(f[0]), f[1], f.length > 2 ? f[2] : ""));
            }
        }
        return out;
    }

    private static long parseLong(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Fails once more than {@code limit} bytes were read: a huge entry is refused, not allocated. */
    private static final class BoundedStream extends java.io.FilterInputStream {
        private long left;

        BoundedStream(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && --left < 0) {
                throw new IOException("entry larger than expected");
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (left -= n) < 0) {
                throw new IOException("entry larger than expected");
            }
            return n;
        }
    }
}
