package org.alexnet.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One documented, typed configuration key: its name, its default (as text, the way it is
 * written in conf/), how to parse it and what a valid value is.
 *
 * @param <T> the parsed type
 */
public final class ConfigKey<T> {
    private final String name;
    private final String defaultText;
    private final String doc;
    private final Class<?> type;
    private final Function<String, T> parser;
    private final Function<T, String> printer;
    private final Predicate<T> valid;
    private final String validity;
    private final boolean operational;

    private ConfigKey(String name, String defaultText, String doc, Class<?> type, Function<String, T> parser,
                      Function<T, String> printer, Predicate<T> valid, String validity) {
        this(name, defaultText, doc, type, parser, printer, valid, validity, false);
    }

    private ConfigKey(String name, String defaultText, String doc, Class<?> type, Function<String, T> parser,
                      Function<T, String> printer, Predicate<T> valid, String validity, boolean operational) {
        this.name = Objects.requireNonNull(name);
        this.defaultText = defaultText;
        this.doc = Objects.requireNonNull(doc);
        this.type = type;
        this.parser = parser;
        this.printer = printer;
        this.valid = valid;
        this.validity = validity;
        this.operational = operational;
    }

    public String name() { return name; }

    /** The default as written in a config file; null when the key has no default (it may stay unset). */
    public String defaultText() { return defaultText; }

    public String doc() { return doc; }

    /** A description of the valid values, for error messages and the documentation. */
    public String validity() { return validity; }

    /** Parses and validates {@code text}; the error names this key and the offending value. */
    T parse(String text) {
        T value;
        try {
            value = parser.apply(text.trim());
        } catch (RuntimeException e) {
            throw new ConfigException("config key '" + name + "': cannot read '" + text + "' as " + validity
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        }
        if (!valid.test(value)) {
            throw new ConfigException("config key '" + name + "': '" + text + "' is not valid; expected " + validity);
        }
        return value;
    }

    /** The type of this key's values (the boxed type for numbers and booleans). */
    public Class<?> type() { return type; }

    /**
     * Checks a value given in code (not read from text) as {@link #parse} checks text: of this
     * key's type, present and valid; the error names this key.
     */
    public T check(Object value) {
        if (value == null) {
            throw new ConfigException("config key '" + name + "' must be set (" + doc + ")");
        }
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("config key '" + name + "' holds " + type.getSimpleName() + " values, not "
                    + value.getClass().getSimpleName());
        }
        @SuppressWarnings("unchecked") T v = (T) value;
        if (!valid.test(v)) {
            throw new ConfigException("config key '" + name + "': '" + text(v) + "' is not valid; expected " + validity);
        }
        return v;
    }

    /** A value as written in a config file; {@link #parse} reads it back to an equal value. */
    public String text(T value) {
        return printer.apply(value);
    }

    /** A new key with the same parsing and a further constraint. */
    public ConfigKey<T> requiring(Predicate<T> constraint, String description) {
        return new ConfigKey<>(name, defaultText, doc, type, parser, printer, valid.and(constraint),
                validity + ", " + description, operational);
    }

    /**
     * This key as one that does not change what a run computes (where it checkpoints, how many
     * threads decode, how long it goes on): a resumed run may set it differently. Every other key
     * decides the result, and a resumed run must keep the checkpoint's value.
     */
    public ConfigKey<T> operational() {
        return new ConfigKey<>(name, defaultText, doc, type, parser, printer, valid, validity, true);
    }

    /** Whether a resumed run may change this key ({@link #operational()}). */
    public boolean isOperational() { return operational; }

    public static ConfigKey<Integer> intKey(String name, Integer def, int min, int max, String doc) {
        return new ConfigKey<>(name, def == null ? null : def.toString(), doc, Integer.class, Integer::parseInt,
                String::valueOf, v -> v >= min && v <= max, "an integer in [" + min + ", " + max + "]");
    }

    public static ConfigKey<Long> longKey(String name, Long def, String doc) {
        return new ConfigKey<>(name, def == null ? null : def.toString(), doc, Long.class, Long::parseLong,
                String::valueOf, v -> true, "an integer");
    }

    public static ConfigKey<Double> doubleKey(String name, Double def, double min, double max, String doc) {
        return new ConfigKey<>(name, def == null ? null : stripZero(def), doc, Double.class, Double::parseDouble,
                String::valueOf, v -> !v.isNaN() && v >= min && v <= max,
                "a number in [" + stripZero(min) + ", " + stripZero(max) + "]");
    }

    public static ConfigKey<Boolean> boolKey(String name, boolean def, String doc) {
        return new ConfigKey<>(name, Boolean.toString(def), doc, Boolean.class, ConfigKey::parseBoolean,
                String::valueOf, v -> true, "true or false");
    }

    public static ConfigKey<String> stringKey(String name, String def, String doc) {
        return new ConfigKey<>(name, def, doc, String.class, s -> s, s -> s, s -> !s.isEmpty(), "a non-empty string");
    }

    /** A list of numbers separated by commas ("" is the empty list). */
    public static ConfigKey<List<Integer>> intListKey(String name, String def, String doc) {
        return new ConfigKey<>(name, def, doc, List.class,
                s -> s.isBlank() ? List.of() : Arrays.stream(s.split(",")).map(String::trim).map(Integer::parseInt).toList(),
                v -> v.stream().map(String::valueOf).collect(Collectors.joining(",")),
                v -> v.stream().allMatch(Objects::nonNull), "integers separated by commas");
    }

    /** An enum value, written in lower case with dashes ("divided-by-n" for DIVIDED_BY_N). */
    public static <E extends Enum<E>> ConfigKey<E> enumKey(String name, E def, Class<E> type, String doc) {
        String choices = Arrays.stream(type.getEnumConstants()).map(ConfigKey::enumText).collect(Collectors.joining(" | "));
        return new ConfigKey<>(name, def == null ? null : enumText(def), doc, type,
                s -> Enum.valueOf(type, s.toUpperCase(Locale.ROOT).replace('-', '_')), ConfigKey::enumText, v -> true,
                "one of " + choices);
    }

    /** How an enum value is written in configuration files. */
    public static String enumText(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Boolean parseBoolean(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    private static String stripZero(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    @Override
    public String toString() { return name; }
}
