package org.alexnet.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Watches every process's command line on this machine (/proc/PID/cmdline, which every user can
 * read, as ps shows it) for a string, several times a second, in a daemon thread, and records the
 * command lines that contain it: a secret must never be among them.
 */
final class CommandLineWatch implements AutoCloseable {
    private final List<String> needles;
    private final Set<String> offenders = new ConcurrentSkipListSet<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long scans;

    CommandLineWatch(List<String> needles) {
        this.needles = List.copyOf(needles);
        thread = new Thread(this::loop, "command-line-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            scan();
            scans++;
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Scans once (also called by the loop). */
    void scan() {
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                String line;
                try {
                    line = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                } catch (IOException gone) {
                    continue;
                }
                for (String n : needles) {
                    if (!n.isEmpty() && line.contains(n)) {
                        offenders.add(p.getFileName() + ": " + line);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
    }

    long scans() {
        return scans;
    }

    Set<String> offenders() {
        return Set.copyOf(offenders);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
