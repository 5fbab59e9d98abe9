package org.alexnet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A command's usage: the options it parses, its synopsis and its --help text. */
class UsageTest {
    private static final ConfigKey<Integer> EPOCHS = ConfigKey.intKey("job.epochs", 90, 1, 1000, "epochs to train");
    private static final Usage USAGE = Usage.of("job", "Does the job.")
            .required("data", "DIR", "the input")
            .option("limit", "N", "at most N")
            .flag("resume", "go on")
            .config(new ConfigSchema(List.of(EPOCHS)), "job.properties");

    @Test
    void parsesTheDeclaredOptionsAndRequiresTheRequiredOnes() {
        CommandLine cli = CommandLine.parse(new String[] {"--data", "d", "--resume", "--set", "job.epochs=3"}, USAGE);
        assertEquals("d", cli.require("data"));
        assertTrue(cli.flag("resume"));
        assertTrue(assertThrows(ConfigException.class, () -> CommandLine.parse(new String[] {"--limit", "2"}, USAGE))
                .getMessage().contains("--data"), "a missing required option is named");
        assertTrue(assertThrows(ConfigException.class, () -> CommandLine.parse(new String[] {"--data", "d", "--x"},
                USAGE)).getMessage().contains("--x"), "an undeclared option is named");
    }

    @Test
    void helpIsAnsweredOnlyWhenAskedAndListsOptionsConventionAndKeys() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertFalse(USAGE.printIfAsked(new String[] {"--data", "d"}, out), "no --help, no help");
        assertEquals(0, bytes.size(), "and nothing printed");
        assertTrue(USAGE.printIfAsked(new String[] {"--data", "d", "--help"}, out), "--help anywhere is help");
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("usage: deploy/alexnet job --data DIR [--limit N] [--resume] [--config FILE] "
                + "[--set key=value ...] [--help]\n"), text);
        assertTrue(text.contains("--data DIR") && text.contains("the input (required)"), text);
        assertTrue(text.contains("conf/job.properties") && text.contains("--set key=value"), text);
        assertTrue(text.contains("  job.epochs = 90  epochs to train\n"), "every key with its default and doc: " + text);
        assertTrue(Usage.asked(new String[] {"-h"}), "-h is --help");
    }
}
