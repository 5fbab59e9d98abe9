package org.alexnet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A record bound to a schema: validated however it is made, read and written from the one list of keys. */
class ConfigRecordTest {
    enum Mode { FAST_PATH, SLOW }

    static final ConfigKey<Integer> EPOCHS = ConfigKey.intKey("job.epochs", 90, 1, 1000, "epochs");
    static final ConfigKey<Double> RATE = ConfigKey.doubleKey("job.rate", 0.01, 0, 1, "rate");
    static final ConfigKey<Mode> MODE = ConfigKey.enumKey("job.mode", Mode.FAST_PATH, Mode.class, "mode");
    static final ConfigKey<Integer> EVERY = ConfigKey.intKey("job.checkpoint.every-rounds", 0, 0, 100, "every");
    static final ConfigKey<List<Integer>> DROPS = ConfigKey.intListKey("job.drops", "30,60", "drops");
    static final ConfigKey<Long> SEED = ConfigKey.longKey("job.seed", 1L, "seed");
    static final ConfigKey<Boolean> FLAG = ConfigKey.boolKey("job.flag", true, "flag");
    static final ConfigKey<String> NAME = ConfigKey.stringKey("job.name", null, "name");
    static final ConfigSchema SCHEMA = new ConfigSchema(List.of(EPOCHS, RATE, MODE, EVERY, DROPS, SEED, FLAG, NAME));

    record Job(int epochs, double rate, Mode mode, int checkpointRounds, List<Integer> drops, long seed, boolean flag,
               String name) {
        static final ConfigRecord<Job> RECORD = ConfigRecord.of(Job.class, SCHEMA);

        Job {
            RECORD.validate(epochs, rate, mode, checkpointRounds, drops, seed, flag, name);
        }
    }

    record Swapped(int checkpointRounds, int epochs) {
    }

    record WrongType(long epochs) {
    }

    @Test
    void aRecordMadeWithNewIsValidatedAndTheErrorNamesTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new Job(0, 0.5, Mode.SLOW, 1, List.of(), 1, true, "x"), "epochs 0 is below the key's minimum");
        assertTrue(e.getMessage().contains("'job.epochs'"), "the error names the key: " + e.getMessage());
        e = assertThrows(ConfigException.class, () -> new Job(1, 2.0, Mode.SLOW, 1, List.of(), 1, true, "x"));
        assertTrue(e.getMessage().contains("'job.rate'") && e.getMessage().contains("[0, 1]"),
                "the error names the key and the valid range: " + e.getMessage());
        e = assertThrows(ConfigException.class, () -> new Job(1, 0.5, null, 1, List.of(), 1, true, "x"));
        assertTrue(e.getMessage().contains("'job.mode' must be set"), "a missing value names the key: " + e.getMessage());
    }

    @Test
    void fromThenToConfigThenFromIsTheIdentityForEveryKey() {
        Map<String, String> notDefaults = Map.of("job.epochs", "7", "job.rate", "0.125", "job.mode", "slow",
                "job.checkpoint.every-rounds", "3", "job.drops", "2,4,8", "job.seed", "-5", "job.flag", "false",
                "job.name", "run-1");
        for (ConfigKey<?> key : SCHEMA.keys()) {
            assertTrue(notDefaults.containsKey(key.name()), "the round trip sets every key, including " + key.name());
        }
        Job job = Job.RECORD.from(SCHEMA.resolve(notDefaults), Map.of());
        assertEquals(new Job(7, 0.125, Mode.SLOW, 3, List.of(2, 4, 8), -5, false, "run-1"), job,
                "every key lands in its component");
        Config written = Job.RECORD.toConfig(job);
        assertEquals(SCHEMA.resolve(notDefaults), written, "toConfig writes every key's value");
        assertEquals(job, Job.RECORD.from(written, Map.of()), "and from reads it back");
    }

    @Test
    void anUnsetKeyTakesTheDerivedValueElseFailsNamingIt() {
        Config unnamed = SCHEMA.resolve();
        assertEquals("derived", Job.RECORD.from(unnamed, Map.of(NAME, "derived")).name(), "the derived value fills in");
        assertEquals("set", Job.RECORD.from(SCHEMA.resolve(Map.of("job.name", "set")), Map.of(NAME, "derived")).name(),
                "a set key wins over the derived value");
        assertTrue(assertThrows(ConfigException.class, () -> Job.RECORD.from(unnamed, Map.of())).getMessage()
                .contains("'job.name'"), "without one, the error names the key");
    }

    @Test
    void aCopyWithChangesIsValidatedToo() {
        Job job = Job.RECORD.from(SCHEMA.resolve(), Map.of(NAME, "a"));
        assertEquals(5, Job.RECORD.with(job, Map.of(EPOCHS, 5)).epochs(), "the changed key");
        assertEquals(job.rate(), Job.RECORD.with(job, Map.of(EPOCHS, 5)).rate(), "the other keys kept");
        assertTrue(assertThrows(ConfigException.class, () -> Job.RECORD.with(job, Map.of(EPOCHS, -1))).getMessage()
                .contains("'job.epochs'"));
    }

    @Test
    void aBindingWhoseComponentsDoNotMatchTheKeysFailsWhenMade() {
        ConfigSchema two = new ConfigSchema(List.of(EPOCHS, EVERY));
        assertTrue(assertThrows(IllegalStateException.class, () -> ConfigRecord.of(Swapped.class, two)).getMessage()
                .contains("checkpointRounds"), "keys listed out of component order are found by name");
        assertTrue(assertThrows(IllegalStateException.class,
                () -> ConfigRecord.of(WrongType.class, new ConfigSchema(List.of(EPOCHS)))).getMessage()
                .contains("Integer"), "a component of another type than its key's");
        assertTrue(assertThrows(IllegalStateException.class, () -> ConfigRecord.of(Swapped.class, SCHEMA)).getMessage()
                .contains("components"), "a key without a component");
    }
}
