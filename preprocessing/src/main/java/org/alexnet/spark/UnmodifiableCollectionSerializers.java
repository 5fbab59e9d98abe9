package org.alexnet.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Kryo serialisers for the JDK's unmodifiable collections: {@code List.of}, {@code Set.of},
 * {@code Map.of}, {@code Stream.toList()}, {@code Collections.unmodifiable*} and
 * {@code Arrays.asList}. Kryo 4 re-creates a collection empty and adds the elements, which these
 * refuse (UnsupportedOperationException); records and project classes hold them everywhere.
 * They are written as their elements and read back as an unmodifiable collection of the same kind.
 */
final class UnmodifiableCollectionSerializers {
    private UnmodifiableCollectionSerializers() {
    }

    static void register(Kryo kryo) {
        Serializer<List<Object>> immutableList = new Elements<>(ArrayList::new, UnmodifiableCollectionSerializers::listOf);
        for (List<?> l : List.of(List.of(), List.of(1), List.of(1, 2, 3), List.of(1, 2, 3).subList(0, 2),
                Stream.of(1, 2, 3).toList(), Stream.of(1).toList())) {
            kryo.register(l.getClass(), immutableList);
        }
        Serializer<Set<Object>> immutableSet = new Elements<>(LinkedHashSet::new, Set::copyOf);
        for (Set<?> s : List.of(Set.of(), Set.of(1), Set.of(1, 2, 3))) {
            kryo.register(s.getClass(), immutableSet);
        }
        Serializer<Map<Object, Object>> immutableMap = new Entries(Map::copyOf);
        for (Map<?, ?> m : List.of(Map.of(), Map.of(1, 1), Map.of(1, 1, 2, 2))) {
            kryo.register(m.getClass(), immutableMap);
        }
        Serializer<List<Object>> unmodifiableList = new Elements<>(ArrayList::new, Collections::unmodifiableList);
        kryo.register(Collections.unmodifiableList(new ArrayList<>()).getClass(), unmodifiableList);
        kryo.register(Collections.unmodifiableList(new LinkedList<>()).getClass(), unmodifiableList);
        kryo.register(Collections.unmodifiableSet(new LinkedHashSet<>()).getClass(),
                new Elements<Set<Object>>(LinkedHashSet::new, Collections::unmodifiableSet));
        kryo.register(Collections.unmodifiableCollection(new ArrayList<>()).getClass(),
                new Elements<Collection<Object>>(ArrayList::new, Collections::unmodifiableCollection));
        kryo.register(Collections.unmodifiableMap(new LinkedHashMap<>()).getClass(),
                new Entries(Collections::unmodifiableMap));
        kryo.register(Arrays.asList(1).getClass(), new Elements<List<Object>>(ArrayList::new, l -> Arrays.asList(l.toArray())));
    }

    /** List.copyOf refuses nulls, which Stream.toList() allows. */
    private static List<Object> listOf(List<Object> elements) {
        return elements.contains(null) ? Collections.unmodifiableList(elements) : List.copyOf(elements);
    }

    /** A collection as its size and elements (each with its class), read into a modifiable one and wrapped. */
    private static final class Elements<C extends Collection<Object>> extends Serializer<C> {
        private final java.util.function.IntFunction<? extends C> modifiable;
        private final Function<C, ? extends C> wrap;

        Elements(java.util.function.IntFunction<? extends C> modifiable, Function<C, ? extends C> wrap) {
            super(false, true);
            this.modifiable = modifiable;
            this.wrap = wrap;
        }

        @Override
        public void write(Kryo kryo, Output output, C collection) {
            output.writeVarInt(collection.size(), true);
            for (Object e : collection) {
                kryo.writeClassAndObject(output, e);
            }
        }

        @Override
        public C read(Kryo kryo, Input input, Class<C> type) {
            int n = input.readVarInt(true);
            C elements = modifiable.apply(n);
            for (int i = 0; i < n; i++) {
                elements.add(kryo.readClassAndObject(input));
            }
            return wrap.apply(elements);
        }
    }

    /** A map as its size and entries (keys and values each with their class). */
    private static final class Entries extends Serializer<Map<Object, Object>> {
        private final Function<Map<Object, Object>, Map<Object, Object>> wrap;

        Entries(Function<Map<Object, Object>, Map<Object, Object>> wrap) {
            super(false, true);
            this.wrap = wrap;
        }

        @Override
        public void write(Kryo kryo, Output output, Map<Object, Object> map) {
            output.writeVarInt(map.size(), true);
            for (Map.Entry<Object, Object> e : map.entrySet()) {
                kryo.writeClassAndObject(output, e.getKey());
                kryo.writeClassAndObject(output, e.getValue());
            }
        }

        @Override
        public Map<Object, Object> read(Kryo kryo, Input input, Class<Map<Object, Object>> type) {
            int n = input.readVarInt(true);
            Map<Object, Object> entries = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                entries.put(kryo.readClassAndObject(input), kryo.readClassAndObject(input));
            }
            return wrap.apply(entries);
        }
    }
}
