package org.alexnet.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command as a user would and collects its exit code and output. */
final class Processes {
    /** Exit code and output of one run. */
    record Run(int exitCode, String stdout, String stderr) {
        String all() {
            return stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("user.dir")).getParent();
    }

    static Run run(List<String> command, Map<String, String> env, int timeoutSeconds) throws IOException,
            InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("deploy-test", ".out");
        Path err = Files.createTempFile("deploy-test", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException("did not finish in " + timeoutSeconds + " s: " + command
                    + "\n" + Files.readString(err, StandardCharsets.UTF_8));
        }
        try {
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** deploy/alexnet with the jar this build packaged (no rebuild) and test-sized memory. */
    static Run launcher(int timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(repoRoot().resolve("deploy/alexnet").toString());
        command.addAll(List.of(args));
        return run(command, Map.of("ALEXNET_REBUILD", "never", "ALEXNET_HEAP", "2g", "ALEXNET_OFFHEAP", "6G"),
                timeoutSeconds);
    }

    private Processes() {
    }
}
