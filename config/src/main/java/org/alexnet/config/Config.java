package org.alexnet.config;

import java.io.IOException;
import java.io.StringReader;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A resolved, validated, immutable configuration. It prints itself (the resolved configuration
 * a job logs at start) and serialises to properties text, which is what gets saved with every
 * model and checkpoint.
 */
public final class Config {
    private final ConfigSchema schema;
    private final Map<String, Object> values;
    private final Map<String, String> text;

    Config(ConfigSchema schema, Map<String, Object> values, Map<String, String> text) {
        this.schema = schema;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.text = Collections.unmodifiableMap(new LinkedHashMap<>(text));
    }

    /** The value of a key that has a default or must have been set. */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        requireKnown(key);
        Object v = values.get(key.name());
        if (v == null) {
            throw new ConfigException("config key '" + key.name() + "' must be set (" + key.doc() + ")");
        }
        return (T) v;
    }

    /** The value of a key that may stay unset. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(ConfigKey<T> key) {
        requireKnown(key);
        return Optional.ofNullable((T) values.get(key.name()));
    }

    /** A copy with some keys overridden (validated like any other layer). */
    public Config with(Map<String, String> overrides) {
        return schema.resolve(text, overrides);
    }

    public ConfigSchema schema() {
        return schema;
    }

    /** The resolved configuration as "key = value" lines, in schema order. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (ConfigKey<?> key : schema.keys()) {
            String t = text.get(key.name());
            sb.append(key.name()).append(" = ").append(t == null ? "" : t.trim()).append('\n');
        }
        return sb.toString();
    }

    /** The configuration as properties text (the same lines as {@link #render()}). */
    public String toPropertiesText() {
        return render();
    }

    /** Reads properties text written by {@link #toPropertiesText()} into key/value text. */
    public static Map<String, String> parsePropertiesText(String propertiesText) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(propertiesText));
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration text: " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            out.put(name, p.getProperty(name));
        }
        return out;
    }

    private void requireKnown(ConfigKey<?> key) {
        if (!schema.contains(key.name())) {
            throw new IllegalArgumentException("key " + key.name() + " is not part of this configuration");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Config c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return render();
    }
}
