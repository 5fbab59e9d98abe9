package org.alexnet.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Java entry points deploy/alexnet dispatches to, read from its subcommand table (so a new one is covered). */
record Subcommands(String name, String mainClass, boolean benchClasspath) {
    private static final Pattern ROW = Pattern.compile(
            "^( +)([a-z-]+)\\)\\s+main=(org\\.alexnet\\.[\\w.]+)\\s*;(\\s*classpath=bench)?.*$");

    static List<Subcommands> all() throws IOException {
        List<Subcommands> out = new ArrayList<>();
        for (String line : Files.readAllLines(Processes.repoRoot().resolve("deploy/alexnet"))) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                // the benchmarks' rows are nested one level deeper, under "bench)"
                String name = (m.group(1).length() > 2 ? "bench " : "") + m.group(2);
                out.add(new Subcommands(name, m.group(3), m.group(4) != null));
            }
        }
        return out;
    }
}
