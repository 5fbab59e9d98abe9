package org.alexnet.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The set of keys a job accepts. Resolving layers of key=value text (defaults, then a file,
 * then command-line overrides) gives an immutable {@link Config}; an unknown key or a bad value
 * fails at once with a message that names the key.
 */
public final class ConfigSchema {
    private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();

    public ConfigSchema(Collection<? extends ConfigKey<?>> keys) {
        for (ConfigKey<?> key : keys) {
            if (this.keys.put(key.name(), key) != null) {
                throw new IllegalArgumentException("duplicate config key " + key.name());
            }
        }
    }

    /** The union of several schemas (e.g. the model's keys and the training job's). */
    public static ConfigSchema of(ConfigSchema... parts) {
        List<ConfigKey<?>> all = new ArrayList<>();
        for (ConfigSchema part : parts) {
            all.addAll(part.keys.values());
        }
        return new ConfigSchema(all);
    }

    public Collection<ConfigKey<?>> keys() {
        return Collections.unmodifiableCollection(keys.values());
    }

    public boolean contains(String name) {
        return keys.containsKey(name);
    }

    /**
     * Resolves the given layers over the keys' defaults; later layers win.
     *
     * @param layers each a map of key name to text value, e.g. a config file then --set overrides
     */
    @SafeVarargs
    public final Config resolve(Map<String, String>... layers) {
        Map<String, String> text = new LinkedHashMap<>();
        for (ConfigKey<?> key : keys.values()) {
            if (key.defaultText() != null) {
                text.put(key.name(), key.defaultText());
            }
        }
        for (Map<String, String> layer : layers) {
            for (Map.Entry<String, String> e : layer.entrySet()) {
                if (!keys.containsKey(e.getKey())) {
                    throw new ConfigException("unknown config key '" + e.getKey() + "'" + suggestion(e.getKey()));
                }
                text.put(e.getKey(), e.getValue());
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey<?> key : keys.values()) {
            String t = text.get(key.name());
            if (t != null && !t.isBlank()) {
                values.put(key.name(), key.parse(t));
            }
        }
        return new Config(this, values, text);
    }

    private String suggestion(String unknown) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : keys.keySet()) {
            int d = editDistance(unknown, name);
            if (d < bestDistance) {
                bestDistance = d;
                best = name;
            }
        }
        return best != null && bestDistance <= Math.max(2, unknown.length() / 4) ? " (did you mean '" + best + "'?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
