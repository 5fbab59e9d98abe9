package org.alexnet.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Command-line arguments: {@code --name value} options, {@code --flag} switches, repeated
 * {@code --set key=value} configuration overrides, an optional {@code --config FILE}, and
 * positional arguments. Options not declared by the command are rejected by name.
 */
public final class CommandLine {
    private final Map<String, String> options;
    private final Map<String, String> overrides;
    private final List<String> positional;

    private CommandLine(Map<String, String> options, Map<String, String> overrides, List<String> positional) {
        this.options = options;
        this.overrides = overrides;
        this.positional = positional;
    }

    /**
     * @param args       the arguments
     * @param withValue  names (without dashes) of options that take a value
     * @param switches   names of options that take none
     */
    public static CommandLine parse(String[] args, Set<String> withValue, Set<String> switches) {
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> overrides = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            String name = a.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq > 0 && !name.startsWith("set=")) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.equals("set")) {
                String kv = inline != null ? inline : next(args, ++i, "--set");
                int e = kv.indexOf('=');
                if (e <= 0) {
                    throw new ConfigException("--set expects key=value, got '" + kv + "'");
                }
                overrides.put(kv.substring(0, e).trim(), kv.substring(e + 1).trim());
            } else if (switches.contains(name)) {
                options.put(name, "true");
            } else if (withValue.contains(name) || name.equals("config")) {
                options.put(name, inline != null ? inline : next(args, ++i, a));
            } else {
                throw new ConfigException("unknown option '--" + name + "'");
            }
        }
        return new CommandLine(options, overrides, positional);
    }

    /**
     * Parses the options {@code usage} declares and checks that its required ones are given.
     * Callers answer {@code --help} first ({@link Usage#printIfAsked}).
     */
    public static CommandLine parse(String[] args, Usage usage) {
        CommandLine cli = parse(args, usage.valueOptions(), usage.switches());
        usage.requiredOptions().forEach(cli::require);
        return cli;
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new ConfigException("option " + option + " needs a value");
        }
        return args[i];
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    public String require(String name) {
        String v = options.get(name);
        if (v == null) {
            throw new ConfigException("missing required option --" + name);
        }
        return v;
    }

    public boolean flag(String name) {
        return options.containsKey(name);
    }

    public int intOption(String name, int def) {
        String v = options.get(name);
        try {
            return v == null ? def : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException("option --" + name + ": '" + v + "' is not an integer");
        }
    }

    public List<String> positional() {
        return Collections.unmodifiableList(positional);
    }

    /** The --set overrides, in order. */
    public Map<String, String> overrides() {
        return Collections.unmodifiableMap(overrides);
    }

    /**
     * Resolves the job's configuration: schema defaults, then the installation's default files
     * (conf/*.properties, those that exist), then --config FILE, then the given option layer,
     * then --set. Unknown keys in any layer fail, naming the key.
     */
    public Config resolve(ConfigSchema schema, List<Path> defaultFiles, Map<String, String> fromOptions) {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Path f : defaultFiles) {
            if (f != null && Files.isRegularFile(f)) {
                defaults.putAll(readFile(f));
            }
        }
        Map<String, String> file = option("config").map(f -> readFile(Path.of(f))).orElse(Map.of());
        return schema.resolve(defaults, file, fromOptions, overrides);
    }

    /** Reads a Java properties file into key/value text. */
    public static Map<String, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            out.put(name, p.getProperty(name));
        }
        return out;
    }
}
