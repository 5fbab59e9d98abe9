package org.alexnet.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * What the project's objects need to travel through Spark's KryoSerializer
 * ({@code spark.kryo.registrator}; {@link SparkSerialization} adds it whenever Kryo is chosen).
 * Generic, so new classes are covered as they appear: every record through
 * {@link RecordSerializer}; the JDK's unmodifiable collections, which records hold; exceptions
 * in their Java form; classes with
 * their own wire format name their serializer with Kryo's {@code @DefaultSerializer} (the model
 * state keeps its raw bulk floats that way); everything else takes Kryo's FieldSerializer.
 */
public final class AlexNetKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.addDefaultSerializer(Record.class, (k, type) -> recordSerializer(type));
        // Throwable's own writeObject/readObject keep the cause and stack trace
        kryo.addDefaultSerializer(Throwable.class, JavaSerializer.class);
        UnmodifiableCollectionSerializers.register(kryo);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static RecordSerializer<?> recordSerializer(Class<?> type) {
        return new RecordSerializer(type);
    }
}
