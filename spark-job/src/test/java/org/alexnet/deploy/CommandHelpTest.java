package org.alexnet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code --help} of every Java entry point deploy/alexnet dispatches to: the usage on stdout,
 * exit 0, nothing started. Each runs in its own JVM on this module's classpath, as its main.
 */
class CommandHelpTest {

    @Test
    void everyEntryPointAnswersHelpWithItsUsageAndExitsZero() throws Exception {
        List<Subcommands> commands = Subcommands.all();
        assertTrue(commands.size() >= 15, "deploy/alexnet's subcommand table was read: " + commands);
        List<String> checked = new ArrayList<>();
        for (Subcommands c : commands) {
            if (c.benchClasspath()) {
                continue; // the bench module's own classpath (dl4j-spark): BenchAveragingIT runs it through the launcher
            }
            Processes.Run run = help(c.mainClass(), "--help");
            assertEquals(0, run.exitCode(), c.name() + " --help exits 0: " + run.all());
            assertTrue(run.stdout().startsWith("usage: deploy/alexnet " + c.name() + " "),
                    c.name() + " --help starts with its usage line: " + run.all());
            assertTrue(run.stdout().contains("\nArguments:\n") && run.stdout().contains("-h, --help"),
                    c.name() + " --help lists its arguments: " + run.stdout());
            if (run.stdout().contains("--set key=value")) {
                assertTrue(run.stdout().contains("Configuration: ") && run.stdout().contains("conf/"),
                        c.name() + " --help says where the configuration's defaults live: " + run.stdout());
            }
            assertTrue(!run.stderr().contains("Exception"), c.name() + " --help starts nothing that fails: " + run.stderr());
            checked.add(c.name());
        }
        assertTrue(checked.containsAll(List.of("train", "evaluate", "predict", "preprocess", "classify", "demo",
                "describe")), "the main commands were checked: " + checked);
    }

    @Test
    void theTrainingJobsHelpListsEveryKeyWithItsDefault() throws Exception {
        Processes.Run run = help("org.alexnet.train.TrainAlexNet", "-h");
        assertEquals(0, run.exitCode(), "-h is --help: " + run.all());
        for (org.alexnet.config.ConfigKey<?> key : org.alexnet.train.TrainConfig.SCHEMA.keys()) {
            String def = key.defaultText() == null ? "" : key.defaultText();
            assertTrue(run.stdout().contains("  " + key.name() + " = " + def + " "), "train --help lists " + key.name()
                    + " = " + def + ":\n" + run.stdout());
        }
        assertTrue(run.stdout().replace('\n', ' ').contains("conf/model.properties and conf/train.properties"),
                "train --help names both defaults files: " + run.stdout());
        assertTrue(run.stdout().contains("--data DIR") && run.stdout().contains("(required)"), run.stdout());
    }

    @Test
    void aUsageErrorStillExitsTwoWithTheUsageLine() throws Exception {
        Processes.Run run = help("org.alexnet.train.EvaluateModel", "--model", "x");
        assertEquals(2, run.exitCode(), "a missing --data is a usage error: " + run.all());
        assertTrue(run.stderr().contains("--data") && run.stderr().contains("usage: deploy/alexnet evaluate "),
                "the error names the option and prints the usage line: " + run.stderr());
    }

    private static Processes.Run help(String mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return Processes.run(command, Map.of(), 120);
    }
}
