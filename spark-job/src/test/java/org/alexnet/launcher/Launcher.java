package org.alexnet.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs deploy/alexnet as a user would, against the jar this build packaged. */
final class Launcher {
    /** Exit code and output of one launcher run. */
    record Run(int exitCode, String stdout, String stderr) {
        String[] lines() {
            return stdout.strip().split("\n");
        }
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("user.dir")).getParent();
    }

    static Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(repoRoot().resolve("deploy/alexnet").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        // the build under test just packaged the jar; the launcher must not start another build
        pb.environment().put("ALEXNET_REBUILD", "never");
        pb.environment().put("ALEXNET_HEAP", "2g");
        pb.environment().put("ALEXNET_OFFHEAP", "6G");
        Path out = java.nio.file.Files.createTempFile("launcher", ".out");
        Path err = java.nio.file.Files.createTempFile("launcher", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("launcher did not finish: " + command);
        }
        return new Run(p.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8),
                java.nio.file.Files.readString(err, StandardCharsets.UTF_8));
    }

    private Launcher() {
    }
}
