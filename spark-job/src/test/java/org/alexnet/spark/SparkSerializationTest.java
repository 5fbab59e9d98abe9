package org.alexnet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.train.ParameterState;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The project's objects travel through Spark's KryoSerializer as they do through Java
 * serialisation: every class of the project that can cross Spark (every Serializable one,
 * found on the classpath, so a new one is checked as soon as it exists) gets a Kryo serialiser
 * that honours its own serialised form, and every record comes back equal to what Java
 * serialisation gives; the model state keeps its raw little-endian bulk format.
 */
class SparkSerializationTest {
    private static final SerializerInstance KRYO = new KryoSerializer(
            SparkSerialization.apply(new SparkConf().set("spark.serializer", SparkSerialization.KRYO))).newInstance();
    private static final SerializerInstance JAVA = new JavaSerializer(new SparkConf()).newInstance();
    private static final ClassTag<Object> ANY = ClassTag$.MODULE$.AnyRef();

    @Test
    void theRegistratorIsAddedWhenKryoIsChosenAndOnlyThen() {
        SparkConf kryo = SparkSerialization.apply(new SparkConf().set("spark.serializer", SparkSerialization.KRYO)
                .set(SparkSerialization.REGISTRATOR_KEY, "com.example.TheirRegistrator"));
        assertEquals(List.of("com.example.TheirRegistrator", AlexNetKryoRegistrator.class.getName()),
                SparkSerialization.registrators(kryo), "the user's registrator stays, ours is appended");
        SparkSerialization.apply(kryo);
        assertEquals(2, SparkSerialization.registrators(kryo).size(), "applying twice adds nothing");
        assertEquals("1g", kryo.get("spark.kryoserializer.buffer.max"), "room for a whole model's state");
        SparkConf java = SparkSerialization.apply(new SparkConf());
        assertFalse(java.contains(SparkSerialization.REGISTRATOR_KEY), "Java serialisation needs no registrator");
    }

    @Test
    void everyProjectClassThatCanCrossSparkHasAKryoSerializerThatKeepsItsSerialForm() {
        Kryo kryo = new KryoSerializer(SparkSerialization.apply(new SparkConf()
                .set("spark.serializer", SparkSerialization.KRYO))).newKryo();
        List<Class<?>> crossing = ProjectClasses.serializable();
        assertTrue(crossing.size() > 15, "project classes found: " + crossing);
        assertTrue(crossing.contains(DatasetStats.class) && crossing.contains(ParameterState.class), crossing.toString());
        List<String> problems = new ArrayList<>();
        for (Class<?> c : crossing) {
            Serializer<?> s;
            try {
                s = kryo.getSerializer(c);
            } catch (RuntimeException e) {
                problems.add(c.getName() + ": no Kryo serializer: " + e);
                continue;
            }
            if (ProjectClasses.hasOwnSerialForm(c) && s instanceof FieldSerializer) {
                problems.add(c.getName() + " has its own serialised form (writeObject/readObject/writeReplace/"
                        + "readResolve) but Kryo would copy its fields: give it @DefaultSerializer");
            }
        }
        assertEquals(List.of(), problems, "classes that Spark may serialise with Kryo");
    }

    @Test
    void everySerializableRecordComesBackFromKryoAsFromJavaSerialisation() {
        List<Class<?>> records = ProjectClasses.serializable().stream().filter(Class::isRecord).toList();
        assertTrue(records.size() >= 8, "records found: " + records);
        List<String> problems = new ArrayList<>();
        for (Class<?> r : records) {
            Object sample;
            try {
                sample = Samples.of(r);
            } catch (RuntimeException e) {
                problems.add(r.getName() + ": no sample (" + e + "): add one to Samples");
                continue;
            }
            try {
                String difference = DeepCompare.difference(roundTrip(JAVA, sample), roundTrip(KRYO, sample));
                if (difference != null) {
                    problems.add(r.getName() + ": " + difference);
                }
            } catch (RuntimeException e) {
                problems.add(r.getName() + ": " + e);
            }
        }
        assertEquals(List.of(), problems, "records through Kryo vs Java serialisation");
    }

    @Test
    void theModelStateTravelsAsRawLittleEndianFloatsWithEitherSerializer() {
        float[] params = {1.5f, -2.25f, Float.MIN_VALUE, Float.NaN, 3e38f};
        float[] momentum = {0.125f, 0f, -0f, Float.NEGATIVE_INFINITY, 7f};
        ParameterState state = new ParameterState(params, momentum);
        byte[] raw = littleEndian(params, momentum);
        for (SerializerInstance s : List.of(KRYO, JAVA)) {
            ByteBuffer bytes = s.serialize(state, ANY);
            byte[] all = new byte[bytes.remaining()];
            bytes.duplicate().get(all);
            assertTrue(indexOf(all, raw) >= 0, s.getClass().getSimpleName() + " wrote the floats as one raw LE run");
            ParameterState back = (ParameterState) s.deserialize(bytes, ANY);
            assertArrayEquals(params, back.params().floats(), s.getClass().getSimpleName());
            assertArrayEquals(momentum, back.momentum().floats(), s.getClass().getSimpleName());
        }
        ByteBuffer kryo = KRYO.serialize(state, ANY);
        assertTrue(kryo.remaining() < raw.length + 64, "no per-element framing: " + kryo.remaining() + " bytes");
    }

    @Test
    void aLargeModelStateCrossesKryoInOnePiece() {
        int n = (1 << 18) * 3 + 17; // several bulk chunks and a partial one
        float[] params = new float[n];
        float[] momentum = new float[n];
        for (int i = 0; i < n; i++) {
            params[i] = i * 0.5f;
            momentum[i] = -i;
        }
        ParameterState back = (ParameterState) KRYO.deserialize(KRYO.serialize(new ParameterState(params, momentum),
                ANY), ANY);
        assertArrayEquals(params, back.params().floats());
        assertArrayEquals(momentum, back.momentum().floats());
    }

    @Test
    void unmodifiableCollectionsComeBackEqualAndUnmodifiable() {
        List<Object> values = new ArrayList<>(List.of(List.of(), List.of("a"), List.of("a", "b", "c"),
                List.of(1, 2, 3, 4).subList(1, 3), Stream.of("x", "y", "z").toList(), Set.of(), Set.of("a"),
                Set.of(1, 2, 3), Map.of(), Map.of("k", 1), Map.of("k", 1, "l", 2),
                Collections.unmodifiableList(new ArrayList<>(List.of(1, 2))), Collections.unmodifiableSet(Set.of(3)),
                Collections.unmodifiableMap(new LinkedHashMap<>(Map.of("m", 4))), Arrays.asList("p", "q")));
        values.add(Stream.of("n", null).toList());
        for (Object v : values) {
            Object back = roundTrip(KRYO, v);
            assertEquals(v, back, v.getClass().getName());
            if (!v.getClass().getName().startsWith("java.util.Arrays")) {
                assertThrows(UnsupportedOperationException.class, () -> mutate(back), v.getClass().getName());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void mutate(Object collection) {
        if (collection instanceof Map<?, ?> m) {
            ((Map<Object, Object>) m).put("new", "entry");
        } else {
            ((java.util.Collection<Object>) collection).add("new");
        }
    }

    private static Object roundTrip(SerializerInstance s, Object value) {
        return s.deserialize(s.serialize(value, ANY), ANY);
    }

    private static byte[] littleEndian(float[] params, float[] momentum) {
        ByteBuffer b = ByteBuffer.allocate((params.length + momentum.length) * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(params).put(momentum);
        return b.array();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
