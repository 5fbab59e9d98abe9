package org.alexnet.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;

/**
 * The demo's settings: conf/demo.properties, then --config FILE, then --set. {@code demo.*} keys
 * are the demo's own; every other key is handed to the job whose prefix it has (preprocess.* to
 * PreprocessImageNet, model.* and train.* to TrainAlexNet), which validate them.
 */
record DemoSettings(int classes, int perClass, int valPerClass, long seed, int classifyImages,
                    Map<String, String> jobKeys) {

    static DemoSettings load(List<Path> defaults, CommandLine cli) {
        Map<String, String> all = new LinkedHashMap<>();
        for (Path f : defaults) {
            if (Files.isRegularFile(f)) {
                all.putAll(CommandLine.readFile(f));
            }
        }
        cli.option("config").ifPresent(f -> all.putAll(CommandLine.readFile(Path.of(f))));
        all.putAll(cli.overrides());
        Map<String, String> jobKeys = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith("preprocess.") || k.startsWith("model.") || k.startsWith("train.")) {
                jobKeys.put(k, v);
            } else if (!k.startsWith("demo.")) {
                throw new ConfigException("unknown demo config key '" + k + "' (demo.*, preprocess.*, model.*, train.*)");
            }
        });
        int classes = integer(all, "demo.classes", 4);
        if (classes < 2 || classes > 1000) {
            throw new ConfigException("config key 'demo.classes' must be in [2, 1000], got " + classes);
        }
        return new DemoSettings(classes, integer(all, "demo.per-class", 40), integer(all, "demo.val-per-class", 10),
                integer(all, "demo.seed", 7), integer(all, "demo.classify-images", 2), jobKeys);
    }

    String[] preprocessArgs(Path input, Path output) {
        return args(List.of("--input", input.toString(), "--output", output.toString()), "preprocess.");
    }

    String[] trainArgs(Path data, Path output) {
        List<String> a = new ArrayList<>(List.of("--data", data.toString(), "--output", output.toString()));
        return args(a, "model.", "train.");
    }

    private String[] args(List<String> head, String... prefixes) {
        List<String> a = new ArrayList<>(head);
        jobKeys.forEach((k, v) -> {
            for (String p : prefixes) {
                if (k.startsWith(p)) {
                    a.add("--set");
                    a.add(k + "=" + v);
                }
            }
        });
        return a.toArray(String[]::new);
    }

    private static int integer(Map<String, String> all, String key, int def) {
        String v = all.get(key);
        try {
            return v == null || v.isBlank() ? def : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("config key '" + key + "': '" + v + "' is not an integer");
        }
    }
}
