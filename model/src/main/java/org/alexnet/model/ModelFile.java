package org.alexnet.model;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.alexnet.config.Config;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

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
        Path target = file.toPath().toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
        try {
            ModelSerializer.writeModel(graph, tmp.toFile(), withMomentum);
            ModelSerializer.addObjectToFile(tmp.toFile(), CONFIG_ENTRY, config.toConfig().toPropertiesText());
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
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
