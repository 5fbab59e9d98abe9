package org.alexnet.model;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.alexnet.config.Config;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model on disk: DL4J's ModelSerializer zip (graph, parameters, optionally the momentum) with
 * the project's model configuration stored in the same file, so a saved model says exactly what
 * it is. Writes go to a temporary sibling and are renamed into place, so a crash never leaves a
 * half-written model where a good one was.
 */
public final class ModelFile {
    /** Entry name of the model configuration (properties text) inside the zip. */
    public static final String CONFIG_ENTRY = "alexnet-config";

    private ModelFile() {
    }

    /** A loaded model and the configuration it was built from. */
    public record Saved(ComputationGraph graph, AlexNetConfig config) {
    }

    /**
     * Saves the network, its momentum (when {@code withMomentum}) and its configuration.
     */
    public static void save(ComputationGraph graph, AlexNetConfig config, File file, boolean withMomentum)
            throws IOException {
        save(graph, config, file, withMomentum, Map.of());
    }

    /**
     * Saves the network, its momentum (when {@code withMomentum}), its configuration and the given
     * objects (read back with DL4J's {@code ModelSerializer.getObjectFromFile(file, key)}) in ONE
     * pass, in DL4J's ModelSerializer layout. DL4J's own writeModel + addObjectToFile rewrites and
     * re-deflates the whole zip per object: ~70 s for a checkpoint of the full model, where
     * parameters do not compress anyway; entries here are stored without compression.
     */
    public static void save(ComputationGraph graph, AlexNetConfig config, File file, boolean withMomentum,
                            Map<String, ? extends Serializable> objects) throws IOException {
        Path target = file.toPath().toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
        try {
            try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20))) {
                zip.setLevel(Deflater.NO_COMPRESSION);
                zip.putNextEntry(new ZipEntry(ModelSerializer.CONFIGURATION_JSON));
                zip.write(graph.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
                writeArray(zip, ModelSerializer.COEFFICIENTS_BIN, graph.params());
                INDArray momentum = graph.getUpdater() == null ? null : graph.getUpdater().getStateViewArray();
                if (withMomentum && momentum != null && momentum.length() > 0) {
                    writeArray(zip, ModelSerializer.UPDATER_BIN, momentum);
                }
                Map<String, Serializable> all = new LinkedHashMap<>(objects);
                all.put(CONFIG_ENTRY, config.toConfig().toPropertiesText());
                for (Map.Entry<String, Serializable> e : all.entrySet()) {
                    zip.putNextEntry(new ZipEntry("objects/" + e.getKey()));
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                        out.writeObject(e.getValue());
                    }
                    bytes.writeTo(zip);
                }
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeArray(ZipOutputStream zip, String entry, INDArray array) throws IOException {
        zip.putNextEntry(new ZipEntry(entry));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(zip, 1 << 20));
        Nd4j.write(array, out);
        out.flush(); // not closed: that would close the zip
    }

    /** Loads a model saved by {@link #save}, with its momentum when the file has it. */
    public static Saved load(File file) throws IOException {
        String configText;
        try {
            configText = ModelSerializer.getObjectFromFile(file, CONFIG_ENTRY);
        } catch (IllegalStateException e) { // DL4J's way of saying the entry is missing
            throw new IOException(file + " is not an AlexNet model file of this project (no " + CONFIG_ENTRY + " entry)", e);
        }
        AlexNetConfig config = AlexNetConfig.from(AlexNetConfig.SCHEMA.resolve(Config.parsePropertiesText(configText)));
        ComputationGraph graph = ModelSerializer.restoreComputationGraph(file, true);
        return new Saved(graph, config);
    }
}
