package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.ConfigKey;
import org.junit.jupiter.api.Test;

/** The training job's keys: validation and conf/train.properties in step with the schema. */
class TrainConfigTest {

    @Test
    void confTrainPropertiesStatesTheSchemaDefaults() {
        Path file = Path.of(System.getProperty("user.dir")).getParent().resolve("conf/train.properties");
        Map<String, String> written = CommandLine.readFile(file);
        for (ConfigKey<?> key : TrainConfig.TRAIN_SCHEMA.keys()) {
            assertTrue(written.containsKey(key.name()), "conf/train.properties documents " + key.name());
            assertEquals(key.defaultText() == null ? "" : key.defaultText(), written.get(key.name()),
                    "conf/train.properties default of " + key.name());
        }
        assertEquals(TrainConfig.TRAIN_SCHEMA.keys().size(), written.size(), "no unknown keys in conf/train.properties");
    }

    @Test
    void thePapersSettingsAreTheDefaults() {
        TrainConfig t = TrainConfig.from(TrainConfig.SCHEMA.resolve());
        assertEquals(128, t.batchSize());
        assertEquals(TrainConfig.Schedule.PLATEAU, t.schedule());
        assertEquals(10.0, t.scheduleFactor());
        assertEquals(3, t.maxReductions());
        assertEquals(0.1, t.lightingStd());
        assertEquals(List.of(), t.devices());
    }

    @Test
    void badValuesNameTheKey() {
        assertTrue(assertThrows(ConfigException.class, () -> TrainConfig.from(TrainConfig.SCHEMA.resolve(
                Map.of("train.devices", "0,1,2")))).getMessage().contains("train.devices"));
        assertTrue(assertThrows(ConfigException.class, () -> TrainConfig.SCHEMA.resolve(
                Map.of("train.batch-size", "0"))).getMessage().contains("train.batch-size"));
        assertTrue(assertThrows(ConfigException.class, () -> TrainConfig.SCHEMA.resolve(
                Map.of("train.executor", "gpu"))).getMessage().contains("train.executor"));
    }
}
