package org.alexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.alexnet.model.bench.TrainStepBenchmark;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.MultiDataSet;

/** Save and load: parameters, momentum and the project's configuration in one file. */
class ModelFileTest {

    @Test
    void roundTripKeepsParametersMomentumAndConfig(@TempDir Path dir) throws IOException {
        AlexNetConfig config = AlexNetConfig.preset("tiny", Map.of("model.classes", "6", "model.lrn.alpha-convention",
                "divided-by-n", "model.seed", "99"));
        ComputationGraph graph = AlexNet.build(config);
        MultiDataSet batch = TrainStepBenchmark.randomBatch(config, 3, 5);
        graph.fit(batch);

        File file = dir.resolve("model.zip").toFile();
        ModelFile.save(graph, config, file, true);
        ModelFile.Saved loaded = ModelFile.load(file);

        assertEquals(config, loaded.config(), "the configuration stored in the file");
        assertEquals(graph.params(), loaded.graph().params(), "parameters");
        assertEquals(graph.getUpdater().getStateViewArray(), loaded.graph().getUpdater().getStateViewArray(), "momentum");
        assertEquals(graph.outputSingle(batch.getFeatures(0)), loaded.graph().outputSingle(batch.getFeatures(0)),
                "the loaded model computes the same outputs");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left beside the model");
        }
    }

    /** Extra objects go into the same single write, where DL4J's own reader finds them. */
    @Test
    void extraObjectsAreWrittenInTheSamePassAndReadableByDl4j(@TempDir Path dir) throws IOException {
        AlexNetConfig config = AlexNetConfig.preset("tiny", Map.of("model.classes", "4"));
        ComputationGraph graph = AlexNet.build(config);
        File file = dir.resolve("with-objects.zip").toFile();
        ModelFile.save(graph, config, file, false, Map.of("job", "a=1\n", "numbers", new int[] {3, 1, 4}));
        assertEquals("a=1\n", org.deeplearning4j.util.ModelSerializer.getObjectFromFile(file, "job"));
        assertEquals(4, ((int[]) org.deeplearning4j.util.ModelSerializer.getObjectFromFile(file, "numbers"))[2]);
        ComputationGraph plain = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(file, false);
        assertEquals(graph.params(), plain.params(), "DL4J's ModelSerializer restores the parameters");
        assertEquals(config, ModelFile.load(file).config());
    }

    @Test
    void aFileWithoutTheProjectsConfigIsRejected(@TempDir Path dir) throws IOException {
        AlexNetConfig config = AlexNetConfig.preset("tiny", Map.of("model.classes", "3"));
        File file = dir.resolve("plain.zip").toFile();
        org.deeplearning4j.util.ModelSerializer.writeModel(AlexNet.build(config), file, false);
        IOException e = assertThrows(IOException.class, () -> ModelFile.load(file));
        assertEquals(true, e.getMessage().contains(ModelFile.CONFIG_ENTRY), e.getMessage());
    }
}
