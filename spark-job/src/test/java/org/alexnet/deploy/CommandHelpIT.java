package org.alexnet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code deploy/alexnet <command> --help} for every subcommand of its table, as a user types it. */
class CommandHelpIT {

    @Test
    void everySubcommandAnswersHelpThroughTheLauncher() throws Exception {
        for (Subcommands c : Subcommands.all()) {
            if (c.benchClasspath()) {
                continue; // the bench module is built after this one: BenchAveragingIT checks its --help
            }
            String[] args = (c.name() + " --help").split(" ");
            Processes.Run run = Processes.launcher(120, args);
            assertEquals(0, run.exitCode(), "deploy/alexnet " + c.name() + " --help exits 0: " + run.all());
            assertTrue(run.stdout().startsWith("usage: deploy/alexnet " + c.name() + " "),
                    "deploy/alexnet " + c.name() + " --help prints the command's usage: " + run.all());
            if (run.stdout().contains("--set key=value")) {
                assertTrue(run.stdout().replace('\n', ' ').contains("This installation's: "
                                + Processes.repoRoot().resolve("conf")),
                        "the launcher's conf/ is named as where the defaults live: " + run.stdout());
            }
        }
    }
}
