package org.alexnet.preprocessing;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Map;
import org.alexnet.config.CommandLine;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.config.ConfigKey;
import org.junit.jupiter.api.Test;

class PreprocessConfigTest {
    private static final Path DEFAULTS = Path.of("..", "conf", PreprocessConfig.DEFAULTS_FILE);

    @Test
    void confFileDocumentsExactlyTheSchemaDefaults() {
        Map<String, String> file = CommandLine.readFile(DEFAULTS);
        for (ConfigKey<?> key : PreprocessConfig.SCHEMA.keys()) {
            assertTrue(file.containsKey(key.name()), "conf/preprocess.properties lists " + key.name());
            String expected = key.defaultText() == null ? "" : key.defaultText();
            assertEquals(expected, file.get(key.name()).trim(), "default of " + key.name() + " in conf/ equals the schema's");
        }
        for (String name : file.keySet()) {
            assertTrue(PreprocessConfig.SCHEMA.contains(name), "conf/preprocess.properties key " + name + " is in the schema");
        }
    }

    @Test
    void optionsAreShortFormsOfKeys() {
        Config c = PreprocessConfig.fromCommandLine(new String[]{"--input", "/in", "--output", "/out", "--jpeg-quality", "95",
                "--overwrite", "--set", "preprocess.seed=7", "--val-labels", "x.csv"});
        PreprocessSettings s = PreprocessSettings.of(c);
        assertEquals("/in", s.input(), "--input sets preprocess.input");
        assertEquals(95, s.jpegQuality(), "--jpeg-quality sets preprocess.jpeg-quality");
        assertTrue(s.overwrite(), "--overwrite sets preprocess.overwrite");
        assertEquals(7L, s.seed(), "--set overrides a key");
        assertEquals("x.csv", s.valLabels(), "--val-labels sets preprocess.val.labels");
        assertNull(s.valMeta(), "an unset optional key stays null");
    }

    @Test
    void badOptionsFailNamingTheOptionOrKey() {
        assertMessage("preprocess.jpeg-quality", "--input", "/in", "--output", "/out", "--jpeg-quality", "101");
        assertMessage("preprocess.max-pixels", "--input", "/in", "--output", "/out", "--set", "preprocess.max-pixels=-5");
        assertMessage("preprocess.seeed", "--input", "/in", "--output", "/out", "--set", "preprocess.seeed=1");
        assertMessage("--qualty", "--input", "/in", "--output", "/out", "--qualty", "3");
        assertMessage("preprocess.output", "--input", "/in");
    }

    private static void assertMessage(String expected, String... args) {
        ConfigException e = assertThrows(ConfigException.class, () -> PreprocessConfig.fromCommandLine(args));
        assertTrue(e.getMessage().contains(expected), "error '" + e.getMessage() + "' names " + expected);
    }
}
