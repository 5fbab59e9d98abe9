package org.alexnet.spark;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A sample instance of a record made from its component types: numbers that are not defaults,
 * arrays of three, {@code List.of}/{@code Set.of}/{@code Map.of} (the unmodifiable collections
 * records hold), nested records, the last constant of an enum, and classes through their
 * constructors. Every value is distinct, so a serialiser that swaps or drops components shows.
 */
final class Samples {
    /** Records whose constructors constrain their components together: a valid sample each. */
    private static final Map<Class<?>, java.util.function.Supplier<Object>> CONSTRAINED = Map.of(
            org.alexnet.train.averaging.ShardPlan.class, () -> new org.alexnet.train.averaging.ShardPlan(1000, 7),
            // configuration records validate each value against its key: valid values, none a default
            org.alexnet.model.AlexNetConfig.class, () -> org.alexnet.model.AlexNetConfig.preset("small", Map.ofEntries(
                    Map.entry("model.classes", "17"), Map.entry("model.width", "0.3"),
                    Map.entry("model.input-size", "99"), Map.entry("model.columns", "1"), Map.entry("model.lrn", "false"),
                    Map.entry("model.lrn.k", "1.5"), Map.entry("model.lrn.n", "3"), Map.entry("model.lrn.alpha", "0.002"),
                    Map.entry("model.lrn.beta", "0.6"), Map.entry("model.lrn.alpha-convention", "divided-by-n"),
                    Map.entry("model.pooling", "non-overlapping"), Map.entry("model.activation", "tanh"),
                    Map.entry("model.dropout", "0.25"), Map.entry("model.init-std", "0.03"),
                    Map.entry("model.learning-rate", "0.05"), Map.entry("model.momentum", "0.8"),
                    Map.entry("model.weight-decay", "0.001"), Map.entry("model.seed", "-7"),
                    Map.entry("model.precision", "double"))),
            org.alexnet.train.TrainConfig.class, () -> org.alexnet.train.TrainConfig.from(
                    org.alexnet.train.TrainConfig.SCHEMA.resolve(Map.ofEntries(Map.entry("train.epochs", "12"),
                            Map.entry("train.workers", "3"), Map.entry("train.batch-size", "16"),
                            Map.entry("train.averaging-frequency", "4"), Map.entry("train.averaging.shards", "5"),
                            Map.entry("train.schedule", "step"), Map.entry("train.schedule.factor", "5"),
                            Map.entry("train.schedule.max-reductions", "2"), Map.entry("train.schedule.patience", "6"),
                            Map.entry("train.schedule.min-improvement", "0.01"),
                            Map.entry("train.schedule.warmup-epochs", "7"),
                            Map.entry("train.schedule.chance-margin", "0.2"),
                            Map.entry("train.schedule.step-epochs", "8,9"), Map.entry("train.seed", "-9"),
                            Map.entry("train.checkpoint.every-rounds", "10"), Map.entry("train.checkpoint.keep", "1"),
                            Map.entry("train.executor", "single"), Map.entry("train.decode-threads", "11"),
                            Map.entry("train.prefetch", "13"), Map.entry("train.lighting-std", "0.05"),
                            Map.entry("train.eval.ten-crop-at-end", "false"), Map.entry("train.eval.batch-size", "32"),
                            Map.entry("train.devices", "1,0")))));

    private int next = 1;

    private Samples() {
    }

    static Object of(Class<?> record) {
        return new Samples().record(record, 0);
    }

    private Object record(Class<?> type, int depth) {
        if (CONSTRAINED.containsKey(type)) {
            return CONSTRAINED.get(type).get();
        }
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = value(components[i].getGenericType(), depth + 1);
        }
        try {
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return canonical.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("its constructor refused " + List.of(values) + ": " + e.getCause(), e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private Object value(Type generic, int depth) {
        if (depth > 4) {
            throw new IllegalArgumentException("nested too deep at " + generic);
        }
        Class<?> t = raw(generic);
        int n = next++;
        if (t == int.class || t == Integer.class) {
            return n;
        } else if (t == long.class || t == Long.class) {
            return 1_000_000_000_000L + n;
        } else if (t == double.class || t == Double.class) {
            return n + 0.5;
        } else if (t == float.class || t == Float.class) {
            return n + 0.25f;
        } else if (t == boolean.class || t == Boolean.class) {
            return n % 2 == 1;
        } else if (t == byte.class || t == Byte.class) {
            return (byte) n;
        } else if (t == short.class || t == Short.class) {
            return (short) n;
        } else if (t == char.class || t == Character.class) {
            return (char) ('a' + n % 26);
        } else if (t == String.class) {
            return "s" + n;
        } else if (t.isEnum()) {
            Object[] constants = t.getEnumConstants();
            return constants[constants.length - 1];
        } else if (t.isArray()) {
            Object array = java.lang.reflect.Array.newInstance(t.getComponentType(), 3);
            for (int i = 0; i < 3; i++) {
                java.lang.reflect.Array.set(array, i, value(t.getComponentType(), depth));
            }
            return array;
        } else if (t == Optional.class) {
            return Optional.of(value(argument(generic, 0), depth + 1));
        } else if (t == List.class || t == Collection.class || t == Iterable.class) {
            return List.of(value(argument(generic, 0), depth + 1), value(argument(generic, 0), depth + 1));
        } else if (t == Set.class) {
            return Set.of(value(argument(generic, 0), depth + 1));
        } else if (t == Map.class) {
            return Map.of(value(argument(generic, 0), depth + 1), value(argument(generic, 1), depth + 1));
        } else if (t.isRecord()) {
            return record(t, depth);
        }
        return viaConstructor(t, depth);
    }

    /** A class through the first of its constructors (most parameters first) that accepts sample values. */
    private Object viaConstructor(Class<?> t, int depth) {
        Constructor<?>[] constructors = t.getDeclaredConstructors();
        java.util.Arrays.sort(constructors, (a, b) -> b.getParameterCount() - a.getParameterCount());
        RuntimeException last = new IllegalArgumentException("no constructor of " + t.getName());
        for (Constructor<?> c : constructors) {
            try {
                Type[] params = c.getGenericParameterTypes();
                Object[] values = new Object[params.length];
                for (int i = 0; i < params.length; i++) {
                    values[i] = value(params[i], depth + 1);
                }
                c.setAccessible(true);
                return c.newInstance(values);
            } catch (RuntimeException | ReflectiveOperationException e) {
                last = new IllegalArgumentException("cannot make a " + t.getName() + ": " + e, e);
            }
        }
        throw last;
    }

    private static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalArgumentException("no sample for type " + t);
    }

    private static Type argument(Type t, int i) {
        if (t instanceof ParameterizedType p) {
            Type a = p.getActualTypeArguments()[i];
            if (a instanceof java.lang.reflect.WildcardType w) {
                return w.getUpperBounds()[0];
            }
            return a;
        }
        return String.class;
    }
}
