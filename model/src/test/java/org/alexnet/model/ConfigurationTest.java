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
        assertTrue(assertThrows(ConfigException.class, () -> AlexNetConfig.preset("full", Map.of("model.learning-rate", "0")))
                .getMessage().contains("model.learning-rate"), "a zero learning rate fails when the configuration is read");
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

    @Test
    void aConfigMadeWithNewIsValidatedAndTheErrorNamesTheKey() {
        AlexNetConfig ok = AlexNetConfig.preset("tiny", Map.of());
        ConfigException e = assertThrows(ConfigException.class, () -> new AlexNetConfig(ok.preset(), ok.classes(),
                ok.width(), ok.inputSize(), 3, ok.lrn(), ok.lrnK(), ok.lrnN(), ok.lrnAlpha(), ok.lrnBeta(),
                ok.lrnAlphaConvention(), ok.pooling(), ok.activation(), ok.dropout(), ok.initStd(), ok.initScaling(),
                ok.learningRate(), ok.momentum(), ok.weightDecay(), ok.seed(), ok.precision()), "3 columns");
        assertTrue(e.getMessage().contains("'model.columns'"), "the error names the key: " + e.getMessage());
        e = assertThrows(ConfigException.class, () -> new AlexNetConfig(ok.preset(), ok.classes(), ok.width(),
                ok.inputSize(), ok.columns(), ok.lrn(), ok.lrnK(), 4, ok.lrnAlpha(), ok.lrnBeta(),
                ok.lrnAlphaConvention(), ok.pooling(), ok.activation(), ok.dropout(), ok.initStd(), ok.initScaling(),
                ok.learningRate(), ok.momentum(), ok.weightDecay(), ok.seed(), ok.precision()), "an even LRN n");
        assertTrue(e.getMessage().contains("'model.lrn.n'"), "the error names the key: " + e.getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> ok.with(Map.of(AlexNetConfig.DROPOUT, 1.0))).getMessage()
                .contains("'model.dropout'"), "a copy is validated too");
        assertTrue(assertThrows(ConfigException.class, () -> ok.with(Map.of(AlexNetConfig.INPUT_SIZE, 50))).getMessage()
                .contains("'model.input-size'"), "an input too small for the net");
        assertTrue(assertThrows(ConfigException.class, () -> ok.with(Map.of(AlexNetConfig.PRESET, "huge"))).getMessage()
                .contains("'model.preset'"), "an unknown preset");
    }

    @Test
    void fromThenToConfigThenFromIsTheIdentityForEveryKey() {
        Map<String, String> notDefaults = new java.util.HashMap<>(Map.ofEntries(Map.entry("model.preset", "small"),
                Map.entry("model.classes", "17"), Map.entry("model.width", "0.3"), Map.entry("model.input-size", "99"),
                Map.entry("model.columns", "1"), Map.entry("model.lrn", "false"), Map.entry("model.lrn.k", "1.5"),
                Map.entry("model.lrn.n", "3"), Map.entry("model.lrn.alpha", "0.002"), Map.entry("model.lrn.beta", "0.5"),
                Map.entry("model.lrn.alpha-convention", "divided-by-n"), Map.entry("model.pooling", "non-overlapping"),
                Map.entry("model.activation", "tanh"), Map.entry("model.dropout", "0.25"),
                Map.entry("model.init-std", "0.03"), Map.entry("model.init-scaling", "fan-in"),
                Map.entry("model.learning-rate", "0.05"), Map.entry("model.momentum", "0.8"),
                Map.entry("model.weight-decay", "0.001"), Map.entry("model.seed", "-7"),
                Map.entry("model.precision", "double")));
        org.alexnet.config.Config set = AlexNetConfig.SCHEMA.resolve(notDefaults);
        for (ConfigKey<?> key : AlexNetConfig.SCHEMA.keys()) {
            assertTrue(notDefaults.containsKey(key.name()), "the round trip sets every key, including " + key.name());
            assertTrue(!set.find(key).equals(AlexNetConfig.SCHEMA.resolve().find(key)),
                    key.name() + " is set to a value other than its default");
        }
        AlexNetConfig config = AlexNetConfig.from(set);
        org.alexnet.config.Config written = config.toConfig();
        assertEquals(set, written, "toConfig writes every key's value as set");
        assertEquals(config, AlexNetConfig.from(written), "from(toConfig()) is the same configuration");
        AlexNetConfig derived = AlexNetConfig.preset("small", Map.of());
        assertEquals(derived, AlexNetConfig.from(derived.toConfig()), "also with the derived keys written out");
    }
}
