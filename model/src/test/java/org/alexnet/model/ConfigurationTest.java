package org.alexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.ConfigKey;
import org.junit.jupiter.api.Test;

/** The model's configuration: validation that names the key, and conf/model.properties in step with it. */
class ConfigurationTest {

    @Test
    void unknownKeyIsNamedWithASuggestion() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> AlexNetConfig.preset("full", Map.of("model.lrn.alpah", "1e-4")));
        assertTrue(e.getMessage().contains("'model.lrn.alpah'") && e.getMessage().contains("model.lrn.alpha"), e.getMessage());
    }

    @Test
    void badValuesNameTheKey() {
        assertTrue(assertThrows(ConfigException.class, () -> AlexNetConfig.preset("full", Map.of("model.columns", "3")))
                .getMessage().contains("model.columns"));
        assertTrue(assertThrows(ConfigException.class, () -> AlexNetConfig.preset("huge", Map.of()))
                .getMessage().contains("model.preset"));
        assertTrue(assertThrows(ConfigException.class, () -> AlexNetConfig.preset("full", Map.of("model.lrn.n", "4")))
                .getMessage().contains("model.lrn.n"));
        assertTrue(assertThrows(ConfigException.class, () -> AlexNetConfig.preset("full", Map.of("model.input-size", "50")))
                .getMessage().contains("model.input-size"));
        assertTrue(assertThrows(ConfigException.class, () -> AlexNetConfig.preset("full", Map.of("model.input-size", "70",
                "model.preset", "full", "model.classes", "x"))).getMessage().contains("model.classes"));
    }

    @Test
    void presetsFillWidthAndInputUnlessOverridden() {
        AlexNetConfig tiny = AlexNetConfig.preset("tiny", Map.of());
        assertEquals(64, tiny.inputSize());
        assertEquals(1.0 / 16, tiny.width(), 1e-12);
        assertEquals(160, AlexNetConfig.preset("tiny", Map.of("model.input-size", "160")).inputSize());
    }

    @Test
    void confModelPropertiesStatesTheSchemaDefaults() {
        Path file = Path.of(System.getProperty("user.dir")).getParent().resolve("conf/model.properties");
        Map<String, String> written = CommandLine.readFile(file);
        for (ConfigKey<?> key : AlexNetConfig.SCHEMA.keys()) {
            assertTrue(written.containsKey(key.name()), "conf/model.properties documents " + key.name());
            String expected = key.defaultText() == null ? "" : key.defaultText();
            assertEquals(expected, written.get(key.name()), "conf/model.properties default of " + key.name());
        }
        assertEquals(AlexNetConfig.SCHEMA.keys().size(), written.size(), "conf/model.properties has no unknown keys");
    }
}
