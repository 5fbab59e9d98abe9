package org.alexnet.config;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a command accepts, declared once: {@link CommandLine#parse(String[], Usage)} takes its
 * options from it, errors print its one-line synopsis, and {@code --help} (or {@code -h}) prints
 * the whole text: the options, the {@code --config FILE} / {@code --set key=value} convention,
 * where the defaults live (conf/*.properties) and every configuration key with its default.
 * Immutable: each method returns a new description.
 */
public final class Usage {
    /** The launcher that runs every command ({@code deploy/alexnet <command>}). */
    public static final String LAUNCHER = "deploy/alexnet";
    private static final int WIDTH = 100;

    private record Option(String name, String argument, String doc, boolean required) {
        String synopsis() {
            String s = "--" + name + (argument == null ? "" : " " + argument);
            return required ? s : "[" + s + "]";
        }

        String label() {
            return "--" + name + (argument == null ? "" : " " + argument);
        }
    }

    private final String command;
    private final String summary;
    private final List<Option> options;
    private final List<Option> positionals;
    private final ConfigSchema schema;
    private final List<String> confFiles;

    private Usage(String command, String summary, List<Option> options, List<Option> positionals, ConfigSchema schema,
                  List<String> confFiles) {
        this.command = command;
        this.summary = summary;
        this.options = List.copyOf(options);
        this.positionals = List.copyOf(positionals);
        this.schema = schema;
        this.confFiles = List.copyOf(confFiles);
    }

    /**
     * @param command the launcher's subcommand ("train", "bench averaging")
     * @param summary what the command does, in a sentence or two
     */
    public static Usage of(String command, String summary) {
        return new Usage(command, summary, List.of(), List.of(), null, List.of());
    }

    /** An option that must be given, with a value ({@code argument} names it: DIR, FILE, N). */
    public Usage required(String name, String argument, String doc) {
        return withOption(new Option(name, argument, doc, true));
    }

    /** An option that may be given, with a value. */
    public Usage option(String name, String argument, String doc) {
        return withOption(new Option(name, argument, doc, false));
    }

    /** A switch: an option without a value. */
    public Usage flag(String name, String doc) {
        return withOption(new Option(name, null, doc, false));
    }

    /** Positional arguments ("IMAGE..."). */
    public Usage positional(String label, String doc) {
        List<Option> p = new ArrayList<>(positionals);
        p.add(new Option(label, null, doc, false));
        return new Usage(command, summary, options, p, schema, confFiles);
    }

    /**
     * The command takes configuration keys of {@code schema} ({@code --config FILE}, {@code --set
     * key=value}) whose defaults the installation keeps in {@code confFiles} of conf/.
     */
    public Usage config(ConfigSchema schema, String... confFiles) {
        return new Usage(command, summary, options, positionals, Objects.requireNonNull(schema),
                Arrays.asList(confFiles));
    }

    /** The command takes configuration keys that {@code confFiles} of conf/ document (no single schema). */
    public Usage config(String... confFiles) {
        return new Usage(command, summary, options, positionals, null, Arrays.asList(confFiles));
    }

    private boolean configurable() {
        return schema != null || !confFiles.isEmpty();
    }

    private Usage withOption(Option o) {
        List<Option> all = new ArrayList<>(options);
        all.add(o);
        return new Usage(command, summary, all, positionals, schema, confFiles);
    }

    /** Names (without dashes) of the options that take a value. */
    public Set<String> valueOptions() {
        return options.stream().filter(o -> o.argument != null).map(Option::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Names of the switches. */
    public Set<String> switches() {
        return options.stream().filter(o -> o.argument == null).map(Option::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Names of the options that must be given. */
    Set<String> requiredOptions() {
        return options.stream().filter(Option::required).map(Option::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Whether the arguments ask for help ({@code --help} or {@code -h}). */
    public static boolean asked(String[] args) {
        return Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h"));
    }

    /**
     * Prints the help text to {@code out} when the arguments ask for it; the command then exits
     * with 0 without doing anything else.
     *
     * @return whether it was asked for (and printed)
     */
    public boolean printIfAsked(String[] args, PrintStream out) {
        if (!asked(args)) {
            return false;
        }
        out.print(text());
        out.flush();
        return true;
    }

    /** One line: "usage: deploy/alexnet train --data DIR ... [--set key=value ...] [--help]". */
    public String synopsis() {
        StringBuilder sb = new StringBuilder("usage: ").append(LAUNCHER).append(' ').append(command);
        options.forEach(o -> sb.append(' ').append(o.synopsis()));
        if (configurable()) {
            sb.append(" [--config FILE] [--set key=value ...]");
        }
        positionals.forEach(p -> sb.append(' ').append(p.name));
        return sb.append(" [--help]").toString();
    }

    /** The whole help text. */
    public String text() {
        StringBuilder sb = new StringBuilder(synopsis()).append("\n\n");
        sb.append(wrap(summary)).append("\n\n");
        List<String[]> rows = new ArrayList<>();
        positionals.forEach(p -> rows.add(new String[] {p.name, p.doc}));
        options.forEach(o -> rows.add(new String[] {o.label(), o.doc + (o.required ? " (required)" : "")}));
        if (configurable()) {
            rows.add(new String[] {"--config FILE", "a properties file of configuration keys (over conf/'s defaults)"});
            rows.add(new String[] {"--set key=value", "one configuration key; repeatable; wins over everything else"});
        }
        rows.add(new String[] {"-h, --help", "print this help and exit"});
        sb.append("Arguments:\n");
        table(sb, rows);
        if (configurable()) {
            sb.append('\n').append(configSection());
        }
        return sb.toString();
    }

    private String configSection() {
        StringBuilder sb = new StringBuilder("Configuration: each key's value is, later winning: its default below, ");
        if (!confFiles.isEmpty()) {
            sb.append(confFiles.stream().map(f -> "conf/" + f).collect(Collectors.joining(" and ")))
                    .append(confFiles.size() == 1 ? " (which documents every key), " : " (which document every key), ");
        }
        sb.append("--config FILE, the options above, --set key=value. ");
        List<Path> installed = Installation.confFiles(confFiles.toArray(String[]::new));
        sb.append(installed.isEmpty() ? "No conf directory is set here (deploy/alexnet sets -Dalexnet.conf.dir; "
                + "else ALEXNET_CONF_DIR), so conf/'s files are not read."
                : "This installation's: " + installed.get(0).getParent() + ".");
        String paragraph = wrap(sb.toString()) + "\n";
        if (schema == null) {
            return paragraph;
        }
        sb = new StringBuilder(paragraph).append("\nKeys (= default; empty = unset or derived):\n");
        List<String[]> rows = new ArrayList<>();
        for (ConfigKey<?> key : schema.keys()) {
            rows.add(new String[] {key.name() + " = " + (key.defaultText() == null ? "" : key.defaultText()),
                    key.doc()});
        }
        table(sb, rows);
        return sb.toString();
    }

    /** Breaks a paragraph into lines of at most {@value #WIDTH} characters. */
    private static String wrap(String paragraph) {
        StringBuilder out = new StringBuilder();
        int lineStart = 0;
        for (String word : paragraph.split(" ")) {
            if (out.length() > lineStart && out.length() - lineStart + 1 + word.length() > WIDTH) {
                out.append('\n');
                lineStart = out.length();
            } else if (out.length() > lineStart) {
                out.append(' ');
            }
            out.append(word);
        }
        return out.toString();
    }

    private static void table(StringBuilder sb, List<String[]> rows) {
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        for (String[] r : rows) {
            sb.append("  ").append(r[0]).append(" ".repeat(width - r[0].length() + 2)).append(r[1]).append('\n');
        }
    }
}
