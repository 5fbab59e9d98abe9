package org.alexnet.archive;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.DatasetStats;
import org.apache.commons.io.output.CountingOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The model file format, for trained models (model.zip) and checkpoints alike, and the only
 * code that reads or writes it. A zip of uncompressed (STORED, CRC-checked) entries:
 * <pre>
 * format.json         first: format name and version, kind (model | checkpoint), parameter type,
 *                     count and layout (layer, parameter, shape in the flat vector's order)
 * model.properties    the model configuration (every model.* key; the graph is rebuilt from it)
 * job.properties      the resolved configuration of the job that trained it
 * provenance.json     where it came from ({@link Provenance})
 * classes.json        the class list, [{index, wnid, name}] in output order
 * dataset-stats.json  the training set's statistics; the mean image is the next entry
 * mean-image.f32      256*256*3 little-endian float32, HWC, RGB, 0-255
 * resume-state.json   checkpoints only: the training job's state to resume from
 * parameters.bin      the flat parameter vector, little-endian values of the stated type
 * momentum.bin        checkpoints only: the flat momentum (updater state) vector
 * </pre>
 * Nothing in it is Java-serialized and nothing read from it is Java-deserialized: text and JSON
 * are parsed with size and nesting limits, arrays are read as exactly the stated number of raw
 * values, and the network is rebuilt with {@link AlexNet#configuration} from the stored
 * configuration (not from DL4J's polymorphic JSON) with the parameters loaded into it. Files of
 * the earlier, Java-serialized format and of newer format versions are refused with a message
 * that says what to do ({@link UnsupportedModelFileException}).
 *
 * <p>Open an archive read-only with {@link #open(FileSystem, Path)} (a directory means its
 * {@value #MODEL_FILE}) and ask it for what it holds; {@link #graph()} builds the network.
 * Writes go through {@link #publish}, which makes the file appear whole or not at all
 * ({@link FilePublisher}).
 */
public final class ModelArchive {
    /** The format's name in format.json. */
    public static final String FORMAT = "alexnet-model";
    /** The newest format version this code reads, and the one it writes. */
    public static final int VERSION = 1;
    /** A training run's model inside its output directory; a directory given as a model means this file. */
    public static final String MODEL_FILE = "model.zip";

    static final String FORMAT_ENTRY = "format.json";
    static final String MODEL_CONFIG_ENTRY = "model.properties";
    static final String JOB_CONFIG_ENTRY = "job.properties";
    static final String PROVENANCE_ENTRY = "provenance.json";
    static final String CLASSES_ENTRY = "classes.json";
    static final String STATS_ENTRY = "dataset-stats.json";
    static final String MEAN_IMAGE_ENTRY = "mean-image.f32";
    static final String RESUME_ENTRY = "resume-state.json";
    static final String PARAMETERS_ENTRY = "parameters.bin";
    static final String MOMENTUM_ENTRY = "momentum.bin";

    /** Upper bounds of the text entries: far above what a real model needs, far below harm. */
    private static final Map<String, Integer> TEXT_LIMITS = Map.of(FORMAT_ENTRY, 1 << 20, MODEL_CONFIG_ENTRY, 1 << 16,
            JOB_CONFIG_ENTRY, 1 << 20, PROVENANCE_ENTRY, 1 << 20, CLASSES_ENTRY, 64 << 20, STATS_ENTRY, 1 << 16,
            RESUME_ENTRY, 16 << 20);
    /** Entry names of DL4J's ModelSerializer zip, the project's format before this one. */
    private static final Set<String> LEGACY_ENTRIES = Set.of("configuration.json", "coefficients.bin",
            "updaterState.bin", "noParams.marker", "normalizer.bin", "preprocessor.bin");
    private static final int MEAN_IMAGE_FLOATS = DatasetLayout.IMAGE_SIZE * DatasetLayout.IMAGE_SIZE * 3;

    /** A trained model, or a checkpoint that training resumes from. */
    public enum Kind { MODEL, CHECKPOINT }

    /**
     * What goes into an archive.
     *
     * @param job         the training job's resolved configuration, key to value text
     * @param resumeState checkpoints only: the trainer's state, any record Jackson can write
     */
    public record Contents(Kind kind, ComputationGraph graph, AlexNetConfig model, Map<String, String> job,
                           List<ClassName> classes,
                           DatasetStats stats, Provenance provenance, Object resumeState) {
        public Contents {
            if ((kind == Kind.CHECKPOINT) != (resumeState != null)) {
                throw new IllegalArgumentException("a checkpoint, and only a checkpoint, carries a resume state");
            }
            if (classes.size() != model.classes()) {
                throw new IllegalArgumentException(classes.size() + " class names for a model of " + model.classes()
                        + " classes");
            }
        }
    }

    /** format.json. */
    record Header(String format, int version, Kind kind, String dtype, long parameters, List<ParamShape> layout) {
    }

    /** One parameter array of the flat vector: the layer, DL4J's parameter key ("W", "b") and its shape. */
    record ParamShape(String layer, String param, long[] shape) {
        boolean sameAs(ParamShape o) {
            return layer.equals(o.layer) && param.equals(o.param) && java.util.Arrays.equals(shape, o.shape);
        }

        @Override
        public String toString() {
            return layer + "_" + param + java.util.Arrays.toString(shape);
        }
    }

    /** dataset-stats.json: {@link DatasetStats} without the mean image. */
    record StatsJson(long count, String meanImage, double[] rgbMean, double[] rgbCovariance, double[] eigenvalues,
                     double[] eigenvectors, double pixelScale) {
    }

    private final String source;
    private final Header header;
    private final AlexNetConfig model;
    private final Map<String, String> job;
    private final Provenance provenance;
    private final List<ClassName> classes;
    private final DatasetStats stats;
    private final byte[] resumeState;
    private final INDArray parameters;
    private final INDArray momentum;

    private ModelArchive(String source, Header header, AlexNetConfig model, Map<String, String> job,
                         Provenance provenance, List<ClassName> classes, DatasetStats stats, byte[] resumeState,
                         INDArray parameters, INDArray momentum) {
        this.source = source;
        this.header = header;
        this.model = model;
        this.job = job;
        this.provenance = provenance;
        this.classes = classes;
        this.stats = stats;
        this.resumeState = resumeState;
        this.parameters = parameters;
        this.momentum = momentum;
    }

    // ---------------------------------------------------------------- writing

    /** Writes the archive to {@code target} on any Hadoop FileSystem so that it appears whole or not at all. */
    public static void publish(Contents contents, FileSystem fs, Path target) throws IOException {
        FilePublisher.publish(fs, target, out -> write(contents, out));
    }

    /** Writes the archive to a stream (not closed). */
    public static void write(Contents c, OutputStream out) throws IOException {
        ComputationGraph graph = c.graph();
        INDArray params = graph.params();
        INDArray momentumState = c.kind() == Kind.CHECKPOINT ? momentumOf(graph) : null;
        ZipOutputStream zip = new ZipOutputStream(out);
        put(zip, FORMAT_ENTRY, json(new Header(FORMAT, VERSION, c.kind(), RawArrays.typeName(params.dataType()),
                params.length(), layout(graph))));
        put(zip, MODEL_CONFIG_ENTRY, c.model().toConfig().toPropertiesText().getBytes(StandardCharsets.UTF_8));
        put(zip, JOB_CONFIG_ENTRY, propertiesText(c.job()).getBytes(StandardCharsets.UTF_8));
        put(zip, PROVENANCE_ENTRY, json(c.provenance()));
        put(zip, CLASSES_ENTRY, json(c.classes()));
        DatasetStats s = c.stats();
        put(zip, STATS_ENTRY, json(new StatsJson(s.count(), MEAN_IMAGE_ENTRY + ": 256x256x3 float32, HWC, RGB",
                s.rgbMean(), s.rgbCovariance(), s.eigenvalues(), s.eigenvectors(), s.pixelScale())));
        put(zip, MEAN_IMAGE_ENTRY, RawArrays.bytes(s.meanImage()));
        if (c.resumeState() != null) {
            put(zip, RESUME_ENTRY, json(c.resumeState()));
        }
        put(zip, PARAMETERS_ENTRY, o -> RawArrays.write(params, o));
        if (momentumState != null) {
            put(zip, MOMENTUM_ENTRY, o -> RawArrays.write(momentumState, o));
        }
        zip.finish();
    }

    private static INDArray momentumOf(ComputationGraph graph) {
        INDArray m = graph.getUpdater() == null ? null : graph.getUpdater().getStateViewArray();
        if (m == null || m.length() != graph.params().length()) {
            throw new IllegalStateException("a checkpoint needs the momentum of every parameter; the graph's updater has "
                    + (m == null ? "none" : m.length() + " values for " + graph.params().length() + " parameters"));
        }
        return m;
    }

    /** "key = value" lines, as {@link Config#toPropertiesText()} writes them, sorted by key. */
    private static String propertiesText(Map<String, String> values) {
        StringBuilder sb = new StringBuilder();
        new java.util.TreeMap<>(values).forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        return sb.toString();
    }

    private static byte[] json(Object value) throws IOException {
        return ArchiveJson.write(value);
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        put(zip, name, o -> o.write(content));
    }

    /**
     * One STORED entry: sizes and CRC must precede the data, so the content is produced twice
     * (once into the checksum, once into the file); for arrays that is a read of memory.
     */
    private static void put(ZipOutputStream zip, String name, FilePublisher.Content content) throws IOException {
        CheckedOutputStream sum = new CheckedOutputStream(OutputStream.nullOutputStream(), new CRC32());
        CountingOutputStream counted = new CountingOutputStream(sum);
        content.writeTo(counted);
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(counted.getByteCount());
        e.setCompressedSize(counted.getByteCount());
        e.setCrc(sum.getChecksum().getValue());
        zip.putNextEntry(e);
        content.writeTo(zip);
        zip.closeEntry();
    }

    /** The flat parameter vector's arrays, in its order (the vertices' topological order). */
    private static List<ParamShape> layout(ComputationGraph graph) {
        List<ParamShape> out = new ArrayList<>();
        GraphVertex[] vertices = graph.getVertices();
        for (int i : graph.topologicalSortOrder()) {
            if (!vertices[i].hasLayer()) {
                continue;
            }
            Layer layer = vertices[i].getLayer();
            layer.paramTable().forEach((key, array) -> out.add(new ParamShape(vertices[i].getVertexName(), key,
                    array.shape())));
        }
        return out;
    }

    // ---------------------------------------------------------------- reading

    /** {@code fileOrDir}, or {@code fileOrDir/model.zip} when it is a directory. */
    public static Path locate(FileSystem fs, Path fileOrDir) throws IOException {
        if (!fs.exists(fileOrDir)) {
            throw new FileNotFoundException("no model at " + fileOrDir);
        }
        Path file = fs.getFileStatus(fileOrDir).isDirectory() ? new Path(fileOrDir, MODEL_FILE) : fileOrDir;
        if (!fs.exists(file)) {
            throw new FileNotFoundException("no model at " + file + " (a training run writes it at its end)");
        }
        return file;
    }

    /** Opens a model or checkpoint (a directory means its model.zip) on any Hadoop FileSystem. */
    public static ModelArchive open(FileSystem fs, Path fileOrDir) throws IOException {
        Path file = locate(fs, fileOrDir);
        try (InputStream in = fs.open(file)) {
            return read(in, file.toString());
        }
    }

    /** Opens a local model or checkpoint (a directory means its model.zip). */
    public static ModelArchive open(java.nio.file.Path fileOrDir) throws IOException {
        java.nio.file.Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve(MODEL_FILE) : fileOrDir;
        if (!Files.isRegularFile(file)) {
            throw new FileNotFoundException("no model at " + file);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /**
     * Reads an archive from a stream; {@code source} names it in messages. Fails with an
     * IOException naming the file and the entry when anything is missing, malformed, truncated
     * or fails its CRC.
     */
    public static ModelArchive read(InputStream in, String source) throws IOException {
        ZipInputStream zip = new ZipInputStream(new BufferedInputStream(in, 1 << 20));
        ZipEntry first;
        try {
            first = zip.getNextEntry();
        } catch (IOException e) {
            throw new IOException(source + " is not a model file (not a readable zip: " + e.getMessage() + ")", e);
        }
        if (first == null) {
            throw new IOException(source + " is not a model file (empty, or not a zip)");
        }
        if (LEGACY_ENTRIES.contains(first.getName()) || first.getName().startsWith("objects/")) {
            throw new UnsupportedModelFileException(legacyMessage(source));
        }
        if (!first.getName().equals(FORMAT_ENTRY)) {
            throw new IOException(source + " is not an AlexNet model file (its first entry is '" + first.getName()
                    + "', not " + FORMAT_ENTRY + ")");
        }
        try {
            Header header = header(text(zip, FORMAT_ENTRY), source);
            return new Reader(source, header).readEntries(zip);
        } catch (UnsupportedModelFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
    }

    /** The refusal of a file in the earlier format (DL4J's ModelSerializer with Java-serialized entries). */
    static String legacyMessage(String source) {
        return source + " is a model file of an earlier version of this project (DL4J's ModelSerializer zip, whose "
                + "extra entries are Java-serialized objects). It is not opened: deserializing Java objects from a "
                + "file can run code from it. If you trust the file, convert it once with `deploy/alexnet "
                + "convert-model --input " + source + " --output NEW.zip` (which accepts only the few types such a "
                + "file should hold), or retrain.";
    }

    private static Header header(byte[] text, String source) throws IOException {
        var tree = ArchiveJson.tree(text, FORMAT_ENTRY);
        if (!FORMAT.equals(tree.path("format").asText())) {
            throw new IOException("not an AlexNet model file (" + FORMAT_ENTRY + " names format '"
                    + tree.path("format").asText() + "')");
        }
        int version = tree.path("version").asInt(-1);
        if (version > VERSION) {
            throw new UnsupportedModelFileException(source + " is an AlexNet model file of format version " + version
                    + ", newer than this program reads (up to " + VERSION + "): open it with a newer version of "
                    + "AlexNet-on-Spark");
        }
        if (version < 1) {
            throw new IOException(FORMAT_ENTRY + " has no valid format version");
        }
        Header h = ArchiveJson.MAPPER.treeToValue(tree, Header.class);
        if (h.kind() == null || h.layout() == null || h.parameters() < 1) {
            throw new IOException(FORMAT_ENTRY + " lacks the kind, the parameter count or the layout");
        }
        RawArrays.type(h.dtype());
        return h;
    }

    /** Reads the entries after format.json, each once, and checks that the archive is complete. */
    private static final class Reader {
        private final String source;
        private final Header header;
        private final Map<String, Object> read = new LinkedHashMap<>();

        Reader(String source, Header header) {
            this.source = source;
            this.header = header;
        }

        ModelArchive readEntries(ZipInputStream zip) throws IOException {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                String name = e.getName();
                if (read.containsKey(name) || name.equals(FORMAT_ENTRY)) {
                    throw new IOException("entry " + name + " appears twice");
                }
                read.put(name, entry(zip, name));
            }
            List<String> required = new ArrayList<>(List.of(MODEL_CONFIG_ENTRY, JOB_CONFIG_ENTRY, PROVENANCE_ENTRY,
                    CLASSES_ENTRY, STATS_ENTRY, MEAN_IMAGE_ENTRY, PARAMETERS_ENTRY));
            if (header.kind() == Kind.CHECKPOINT) {
                required.addAll(List.of(RESUME_ENTRY, MOMENTUM_ENTRY));
            }
            for (String name : required) {
                if (!read.containsKey(name)) {
                    throw new IOException("incomplete: no " + name + " entry");
                }
            }
            AlexNetConfig model = modelConfig((byte[]) read.get(MODEL_CONFIG_ENTRY));
            Map<String, String> job = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(
                    Config.parsePropertiesText(utf8((byte[]) read.get(JOB_CONFIG_ENTRY)))));
            Provenance provenance = ArchiveJson.read((byte[]) read.get(PROVENANCE_ENTRY), Provenance.class,
                    PROVENANCE_ENTRY);
            List<ClassName> classes = classes((byte[]) read.get(CLASSES_ENTRY), model.classes());
            DatasetStats stats = stats((byte[]) read.get(STATS_ENTRY), (float[]) read.get(MEAN_IMAGE_ENTRY));
            byte[] resume = (byte[]) read.get(RESUME_ENTRY);
            if (resume != null) {
                ArchiveJson.tree(resume, RESUME_ENTRY);
            }
            return new ModelArchive(source, header, model, job, provenance, classes, stats, resume,
                    (INDArray) read.get(PARAMETERS_ENTRY), (INDArray) read.get(MOMENTUM_ENTRY));
        }

        private Object entry(ZipInputStream zip, String name) throws IOException {
            if (TEXT_LIMITS.containsKey(name)) {
                return text(zip, name);
            }
            switch (name) {
                case MEAN_IMAGE_ENTRY -> {
                    return RawArrays.floats(exactly(zip, name, (long) MEAN_IMAGE_FLOATS * Float.BYTES));
                }
                case PARAMETERS_ENTRY, MOMENTUM_ENTRY -> {
                    DataType type = RawArrays.type(header.dtype());
                    INDArray values;
                    try {
                        values = RawArrays.read(zip, type, header.parameters());
                    } catch (java.io.EOFException e) {
                        throw new IOException("entry " + name + " is shorter than " + header.parameters() + " "
                                + header.dtype() + " values (" + e.getMessage() + ")", e);
                    }
                    requireEnd(zip, name);
                    return values;
                }
                default -> throw new IOException("unexpected entry " + name);
            }
        }

        private AlexNetConfig modelConfig(byte[] text) throws IOException {
            try {
                return AlexNetConfig.from(AlexNetConfig.SCHEMA.resolve(Config.parsePropertiesText(utf8(text))));
            } catch (ConfigException e) {
                throw new IOException(MODEL_CONFIG_ENTRY + ": " + e.getMessage(), e);
            }
        }

        private static List<ClassName> classes(byte[] json, int expected) throws IOException {
            ClassName[] list = ArchiveJson.read(json, ClassName[].class, CLASSES_ENTRY);
            if (list.length != expected) {
                throw new IOException(CLASSES_ENTRY + " lists " + list.length + " classes for a model of " + expected);
            }
            for (int i = 0; i < list.length; i++) {
                if (list[i] == null || list[i].index() != i) {
                    throw new IOException(CLASSES_ENTRY + ": entry " + i + " is not the class of output " + i);
                }
            }
            return List.of(list);
        }

        private static DatasetStats stats(byte[] json, float[] meanImage) throws IOException {
            StatsJson s = ArchiveJson.read(json, StatsJson.class, STATS_ENTRY);
            if (length(s.rgbMean()) != 3 || length(s.rgbCovariance()) != 9 || length(s.eigenvalues()) != 3
                    || length(s.eigenvectors()) != 9) {
                throw new IOException(STATS_ENTRY + ": rgbMean and eigenvalues need 3 values, rgbCovariance and "
                        + "eigenvectors 9");
            }
            return new DatasetStats(s.count(), meanImage, s.rgbMean(), s.rgbCovariance(), s.eigenvalues(),
                    s.eigenvectors(), s.pixelScale());
        }

        private static int length(double[] a) {
            return a == null ? -1 : a.length;
        }
    }

    /** A text entry, at most its limit, refused when it holds a Java serialization stream. */
    private static byte[] text(ZipInputStream zip, String name) throws IOException {
        int limit = TEXT_LIMITS.get(name);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n = zip.read(buffer); n >= 0; n = zip.read(buffer)) {
            if (out.size() + n > limit) {
                throw new IOException("entry " + name + " is larger than " + limit + " bytes");
            }
            out.write(buffer, 0, n);
        }
        byte[] bytes = out.toByteArray();
        if (isJavaSerialized(bytes)) {
            throw new IOException("entry " + name + " holds a Java serialization stream (magic 0xACED), which is "
                    + "never deserialized: the file was tampered with or not written by AlexNet-on-Spark");
        }
        return bytes;
    }

    /** True when the bytes start with Java serialization's stream magic and version (0xACED 0x0005). */
    public static boolean isJavaSerialized(byte[] bytes) {
        return bytes.length >= 4 && (bytes[0] & 0xff) == 0xAC && (bytes[1] & 0xff) == 0xED && bytes[2] == 0
                && bytes[3] == 5;
    }

    private static byte[] exactly(ZipInputStream zip, String name, long length) throws IOException {
        byte[] bytes = zip.readNBytes((int) length);
        if (bytes.length != length) {
            throw new IOException("entry " + name + " holds " + bytes.length + " bytes, expected " + length);
        }
        requireEnd(zip, name);
        return bytes;
    }

    /** The entry must end here; reading its end also checks its CRC. */
    private static void requireEnd(ZipInputStream zip, String name) throws IOException {
        if (zip.read() >= 0) {
            throw new IOException("entry " + name + " is longer than expected");
        }
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- what an archive holds

    /** Where it was read from. */
    public String source() {
        return source;
    }

    public Kind kind() {
        return header.kind();
    }

    /** The format version it was written in. */
    public int formatVersion() {
        return header.version();
    }

    public AlexNetConfig model() {
        return model;
    }

    /** The training job's configuration as key/value text, sorted by key (resolve it with the job's schema). */
    public Map<String, String> jobConfig() {
        return job;
    }

    public Provenance provenance() {
        return provenance;
    }

    /** The class list, in output order. */
    public List<ClassName> classes() {
        return classes;
    }

    /** The training set's statistics (mean image, RGB PCA): the model's input transform. */
    public DatasetStats stats() {
        return stats;
    }

    /** The flat parameter vector, [1, N], in the graph's order (see format.json's layout). */
    public INDArray parameters() {
        return parameters;
    }

    /** The flat momentum vector of a checkpoint. */
    public Optional<INDArray> momentum() {
        return Optional.ofNullable(momentum);
    }

    /** The checkpoint's resume state as the given record type; empty for a model. */
    public <T> Optional<T> resumeState(Class<T> type) throws IOException {
        if (resumeState == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ArchiveJson.read(resumeState, type, RESUME_ENTRY));
        } catch (IOException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
    }

    /**
     * A new network: the graph built from the stored configuration with the stored parameters
     * (and a checkpoint's momentum) copied in. Fails when this version builds a different
     * parameter layout for that configuration than the one the file was written with.
     */
    public ComputationGraph graph() throws IOException {
        ComputationGraph graph = new ComputationGraph(AlexNet.configuration(model));
        long expected = graph.getConfiguration().getVertices().values().stream()
                .filter(v -> v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex)
                .mapToLong(v -> {
                    var conf = ((org.deeplearning4j.nn.conf.graph.LayerVertex) v).getLayerConf();
                    return conf.getLayer().initializer().numParams(conf);
                }).sum();
        if (expected != header.parameters()) {
            throw new IOException(source + " holds " + header.parameters() + " parameters; this version builds "
                    + expected + " for its configuration");
        }
        graph.init(parameters, true);
        List<ParamShape> built = layout(graph);
        List<ParamShape> stored = header.layout();
        for (int i = 0; i < Math.max(built.size(), stored.size()); i++) {
            ParamShape b = i < built.size() ? built.get(i) : null;
            ParamShape s = i < stored.size() ? stored.get(i) : null;
            if (b == null || s == null || !b.sameAs(s)) {
                throw new IOException(source + ": the parameter layout differs from the one this version builds for "
                        + "its configuration at array " + i + ": stored " + s + ", built " + b);
            }
        }
        if (momentum != null) {
            graph.getUpdater().setStateViewArray(momentum);
        }
        return graph;
    }
}
