package org.alexnet.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.alexnet.config.CommandLine;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.config.ConfigKey;
import org.junit.jupiter.api.Test;

/** The inference job's keys: conf/predict.properties in step with the schema, options and switches, bad values. */
class PredictConfigTest {

    @Test
    void confPredictPropertiesStatesTheSchemaDefaults() {
        Path file = Path.of(System.getProperty("user.dir")).getParent().resolve("conf/predict.properties");
        Map<String, String> written = CommandLine.readFile(file);
        for (ConfigKey<?> key : PredictConfig.SCHEMA.keys()) {
            assertTrue(written.containsKey(key.name()), "conf/predict.properties documents " + key.name());
            assertEquals(key.defaultText() == null ? "" : key.defaultText(), written.get(key.name()),
                    "conf/predict.properties default of " + key.name());
        }
        assertEquals(PredictConfig.SCHEMA.keys().size(), written.size(), "no unknown keys in conf/predict.properties");
    }

    @Test
    void optionsAndSwitchesAreKeys() {
        Config c = PredictConfig.fromCommandLine(new String[] {"--model", "m", "--input", "i", "--output", "o",
            "--ten-crop", "--features", "--format", "binaryFile", "--batch-size", "7", "--set", "predict.top=3"});
        assertTrue(c.get(PredictConfig.TEN_CROP) && c.get(PredictConfig.FEATURES));
        assertEquals(InputFormat.BINARY_FILE, InputFormat.parse(c.get(PredictConfig.FORMAT)));
        assertEquals(7, c.get(PredictConfig.BATCH_SIZE));
        assertEquals(3, c.get(PredictConfig.TOP));
        assertEquals(InputFormat.BINARY_FILE, InputFormat.parse("binary-file"), "dashes are ignored");
    }

    @Test
    void badValuesNameTheKey() {
        assertTrue(assertThrows(ConfigException.class, () -> PredictConfig.fromCommandLine(new String[] {"--model", "m",
            "--input", "i", "--output", "o", "--format", "jpeg"})).getMessage().contains("predict.format"));
        assertTrue(assertThrows(ConfigException.class, () -> PredictConfig.fromCommandLine(new String[] {"--model", "m",
            "--input", "i"})).getMessage().contains("predict.output"));
        assertTrue(assertThrows(ConfigException.class, () -> PredictConfig.fromCommandLine(new String[] {"--model", "m",
            "--input", "i", "--output", "o", "--batch-size", "0"})).getMessage().contains("predict.batch-size"));
    }
}
