package org.alexnet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layered resolution, validation that names the key, and the command line. */
class ConfigTest {
    enum Mode { FAST_PATH, SLOW }

    private static final ConfigKey<Integer> EPOCHS = ConfigKey.intKey("train.epochs", 90, 1, 1000, "epochs");
    private static final ConfigKey<Double> RATE = ConfigKey.doubleKey("train.rate", 0.01, 0, 1, "rate");
    private static final ConfigKey<Mode> MODE = ConfigKey.enumKey("train.mode", Mode.FAST_PATH, Mode.class, "mode");
    private static final ConfigKey<String> NAME = ConfigKey.stringKey("train.name", null, "optional name");
    private static final ConfigKey<List<Integer>> DROPS = ConfigKey.intListKey("train.drops", "30,60", "drops");
    private static final ConfigSchema SCHEMA = new ConfigSchema(List.of(EPOCHS, RATE, MODE, NAME, DROPS));

    @Test
    void laterLayersWinOverDefaults() {
        Config c = SCHEMA.resolve(Map.of("train.epochs", "10"), Map.of("train.epochs", "20", "train.mode", "slow"));
        assertEquals(20, c.get(EPOCHS));
        assertEquals(0.01, c.get(RATE));
        assertEquals(Mode.SLOW, c.get(MODE));
        assertEquals(List.of(30, 60), c.get(DROPS));
        assertTrue(c.find(NAME).isEmpty(), "an optional key without default stays unset");
        assertThrows(ConfigException.class, () -> c.get(NAME), "get() of an unset key fails, naming it");
    }

    @Test
    void errorsNameTheKey() {
        assertTrue(assertThrows(ConfigException.class, () -> SCHEMA.resolve(Map.of("train.epoch", "3")))
                .getMessage().contains("unknown config key 'train.epoch' (did you mean 'train.epochs'?)"));
        assertTrue(assertThrows(ConfigException.class, () -> SCHEMA.resolve(Map.of("train.epochs", "0")))
                .getMessage().contains("'train.epochs'"));
        assertTrue(assertThrows(ConfigException.class, () -> SCHEMA.resolve(Map.of("train.rate", "fast")))
                .getMessage().contains("'train.rate'"));
        assertTrue(assertThrows(ConfigException.class, () -> SCHEMA.resolve(Map.of("train.mode", "medium")))
                .getMessage().contains("fast-path | slow"));
    }

    @Test
    void renderedTextResolvesToTheSameConfig() {
        Config c = SCHEMA.resolve(Map.of("train.epochs", "7", "train.name", "run-1"));
        Config again = SCHEMA.resolve(Config.parsePropertiesText(c.toPropertiesText()));
        assertEquals(c, again);
        assertTrue(c.render().contains("train.epochs = 7\n"), c.render());
    }

    @Test
    void commandLineLayersFileOptionsAndSet(@TempDir Path dir) throws IOException {
        Path defaults = dir.resolve("defaults.properties");
        Files.writeString(defaults, "train.epochs = 5\ntrain.rate = 0.5\n");
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "train.epochs = 6\n");
        CommandLine cli = CommandLine.parse(new String[] {"--config", file.toString(), "--set", "train.rate=0.25",
                "--data", "/x", "--resume", "extra"}, Set.of("data"), Set.of("resume"));
        Config c = cli.resolve(SCHEMA, List.of(defaults), Map.of());
        assertEquals(6, c.get(EPOCHS), "--config FILE wins over conf/");
        assertEquals(0.25, c.get(RATE), "--set wins over everything");
        assertEquals("/x", cli.require("data"));
        assertTrue(cli.flag("resume"));
        assertEquals(List.of("extra"), cli.positional());
        assertTrue(assertThrows(ConfigException.class,
                () -> CommandLine.parse(new String[] {"--dta", "x"}, Set.of("data"), Set.of())).getMessage().contains("--dta"));
    }
}
