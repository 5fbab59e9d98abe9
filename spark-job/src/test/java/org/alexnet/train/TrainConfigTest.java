package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.alexnet.config.CommandLine;
import org.alexnet.config.Config;
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

    @Test
    void aConfigMadeWithNewIsValidatedAndTheErrorNamesTheKey() {
        TrainConfig ok = TrainConfig.from(TrainConfig.SCHEMA.resolve());
        ConfigException e = assertThrows(ConfigException.class, () -> new TrainConfig(ok.epochs(), ok.workers(), 0,
                ok.averagingFrequency(), ok.averagingShards(), ok.schedule(), ok.scheduleFactor(), ok.maxReductions(),
                ok.patience(), ok.minImprovement(), ok.warmupEpochs(), ok.chanceMargin(), ok.stepEpochs(), ok.seed(),
                ok.checkpointRounds(), ok.checkpointKeep(), ok.executor(), ok.decodeThreads(), ok.prefetch(),
                ok.lightingStd(), ok.tenCropAtEnd(), ok.evalBatchSize(), ok.devices()), "batch size 0");
        assertTrue(e.getMessage().contains("'train.batch-size'"), "the error names the key: " + e.getMessage());
        e = assertThrows(ConfigException.class, () -> new TrainConfig(ok.epochs(), ok.workers(), ok.batchSize(),
                ok.averagingFrequency(), ok.averagingShards(), TrainConfig.Schedule.STEP, ok.scheduleFactor(),
                ok.maxReductions(), ok.patience(), ok.minImprovement(), ok.warmupEpochs(), ok.chanceMargin(),
                List.of(0, 5), ok.seed(), ok.checkpointRounds(), ok.checkpointKeep(), ok.executor(), ok.decodeThreads(),
                ok.prefetch(), ok.lightingStd(), ok.tenCropAtEnd(), ok.evalBatchSize(), List.of(0, 1, 2)),
                "three devices");
        assertTrue(e.getMessage().contains("'train.devices'"), "the error names the key: " + e.getMessage());
    }

    @Test
    void fromThenToConfigThenFromIsTheIdentityForEveryKey() {
        Map<String, String> notDefaults = Map.ofEntries(Map.entry("train.epochs", "12"), Map.entry("train.workers", "3"),
                Map.entry("train.batch-size", "16"), Map.entry("train.averaging-frequency", "4"),
                Map.entry("train.averaging.shards", "5"), Map.entry("train.schedule", "step"),
                Map.entry("train.schedule.factor", "5"), Map.entry("train.schedule.max-reductions", "2"),
                Map.entry("train.schedule.patience", "4"), Map.entry("train.schedule.min-improvement", "0.01"),
                Map.entry("train.schedule.warmup-epochs", "2"), Map.entry("train.schedule.chance-margin", "0.2"),
                Map.entry("train.schedule.step-epochs", "3,7"), Map.entry("train.seed", "-9"),
                Map.entry("train.checkpoint.every-rounds", "6"), Map.entry("train.checkpoint.keep", "1"),
                Map.entry("train.executor", "single"), Map.entry("train.decode-threads", "2"),
                Map.entry("train.prefetch", "8"), Map.entry("train.lighting-std", "0.05"),
                Map.entry("train.eval.ten-crop-at-end", "false"), Map.entry("train.eval.batch-size", "32"),
                Map.entry("train.devices", "1,0"));
        Config set = TrainConfig.TRAIN_SCHEMA.resolve(notDefaults);
        for (ConfigKey<?> key : TrainConfig.TRAIN_SCHEMA.keys()) {
            assertTrue(notDefaults.containsKey(key.name()), "the round trip sets every key, including " + key.name());
            assertTrue(!set.find(key).equals(TrainConfig.TRAIN_SCHEMA.resolve().find(key)),
                    key.name() + " is set to a value other than its default");
        }
        TrainConfig train = TrainConfig.from(set);
        assertEquals(set, train.toConfig(), "toConfig writes every key's value as set");
        assertEquals(train, TrainConfig.from(train.toConfig()), "from(toConfig()) is the same configuration");
        TrainConfig defaults = TrainConfig.from(TrainConfig.TRAIN_SCHEMA.resolve());
        assertEquals(defaults, TrainConfig.from(defaults.toConfig()), "also with train.devices left empty");
    }
}
