package org.alexnet.config;

import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A configuration record: a Java record whose components are the keys of a schema, in the
 * schema's order. The schema is the one list of keys; reading a record from a {@link Config},
 * writing it back as configuration text and validating it are derived from that list, so a key
 * added to the schema (and the record) cannot be left out of any of them.
 *
 * <p>The binding is checked when it is made: as many components as keys, each of its key's type,
 * and each named by words of its key in order ({@code maxReductions} for
 * {@code train.schedule.max-reductions}, {@code checkpointRounds} for
 * {@code train.checkpoint.every-rounds}), so two keys swapped in the list fail at once.
 *
 * <p>The record validates itself: its compact constructor calls {@link #validate}, so every way
 * of making one (from configuration, {@code new}, a copy, deserialization) is checked, and a
 * bad value fails naming its key.
 *
 * @param <R> the record type
 */
public final class ConfigRecord<R extends Record> {
    private final Class<R> type;
    private final ConfigSchema schema;
    private final List<ConfigKey<?>> keys;
    private final RecordComponent[] components;
    private final Constructor<R> constructor;

    private ConfigRecord(Class<R> type, ConfigSchema schema) {
        this.type = type;
        this.schema = schema;
        this.keys = List.copyOf(schema.keys());
        this.components = type.getRecordComponents();
        if (components.length != keys.size()) {
            throw new IllegalStateException(type.getSimpleName() + " has " + components.length + " components for "
                    + keys.size() + " config keys " + keys);
        }
        for (int i = 0; i < keys.size(); i++) {
            requireBound(components[i], keys.get(i));
        }
        try {
            this.constructor = type.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("no canonical constructor in " + type, e);
        }
        constructor.trySetAccessible();
    }

    /** Binds {@code type}'s components to {@code schema}'s keys, in order (see the class comment). */
    public static <R extends Record> ConfigRecord<R> of(Class<R> type, ConfigSchema schema) {
        return new ConfigRecord<>(type, schema);
    }

    /** The keys, in the record's component order. */
    public ConfigSchema schema() {
        return schema;
    }

    /**
     * Checks the record's component values, in component order (what a compact constructor
     * receives): each present, of its key's type and valid.
     *
     * @throws ConfigException naming the key of the first bad value
     */
    public void validate(Object... values) {
        if (values.length != keys.size()) {
            throw new IllegalArgumentException(type.getSimpleName() + ": " + values.length + " values for "
                    + keys.size() + " keys");
        }
        for (int i = 0; i < values.length; i++) {
            keys.get(i).check(values[i]);
        }
    }

    /**
     * Reads the record from a resolved configuration (which may hold other keys too). A key left
     * unset takes its value from {@code whenUnset} (values derived from other keys, e.g. a
     * preset's width); one unset there too fails, naming the key.
     */
    public R from(Config config, Map<ConfigKey<?>, ?> whenUnset) {
        Object[] values = new Object[keys.size()];
        for (int i = 0; i < values.length; i++) {
            ConfigKey<?> key = keys.get(i);
            Object derived = whenUnset.get(key);
            values[i] = derived == null ? config.get(key) : config.find(key).map(v -> (Object) v).orElse(derived);
        }
        return construct(values);
    }

    /** Every key and its value as configuration text, in schema order; {@link #from} reads it back. */
    public Map<String, String> toText(R record) {
        Map<String, String> text = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            text.put(keys.get(i).name(), textOf(keys.get(i), component(record, i)));
        }
        return text;
    }

    /** The record as a configuration of this schema's keys. */
    public Config toConfig(R record) {
        return schema.resolve(toText(record));
    }

    /** A copy of {@code record} with some keys' values replaced (validated like any record). */
    public R with(R record, Map<ConfigKey<?>, ?> changes) {
        Object[] values = new Object[keys.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = changes.containsKey(keys.get(i)) ? changes.get(keys.get(i)) : component(record, i);
        }
        return construct(values);
    }

    private R construct(Object[] values) {
        try {
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot construct " + type.getSimpleName() + " from " + Arrays.toString(values), e);
        }
    }

    private Object component(R record, int i) {
        try {
            return components[i].getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + components[i].getName() + " of " + type.getSimpleName(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> String textOf(ConfigKey<T> key, Object value) {
        return key.text((T) value);
    }

    private void requireBound(RecordComponent component, ConfigKey<?> key) {
        if (box(component.getType()) != key.type()) {
            throw new IllegalStateException(type.getSimpleName() + "." + component.getName() + " is "
                    + component.getType().getSimpleName() + " but its key " + key.name() + " holds "
                    + key.type().getSimpleName());
        }
        if (!isSubsequence(words(component.getName()), keyWords(key.name()))) {
            throw new IllegalStateException(type.getSimpleName() + "." + component.getName() + " is bound to "
                    + key.name() + ", whose name does not contain its words: are the keys in component order?");
        }
    }

    /** "checkpointRounds" -> [checkpoint, rounds]. */
    private static List<String> words(String camelCase) {
        return Arrays.stream(camelCase.split("(?=\\p{Upper})")).map(w -> w.toLowerCase(Locale.ROOT)).toList();
    }

    /** "train.checkpoint.every-rounds" -> [checkpoint, every, rounds] (the job's prefix dropped). */
    private static List<String> keyWords(String name) {
        return Arrays.asList(name.substring(name.indexOf('.') + 1).split("[.-]"));
    }

    private static boolean isSubsequence(List<String> part, List<String> whole) {
        int j = 0;
        for (String w : whole) {
            if (j < part.size() && part.get(j).equals(w)) {
                j++;
            }
        }
        return j == part.size();
    }

    private static Class<?> box(Class<?> c) {
        return MethodType.methodType(c).wrap().returnType();
    }
}
