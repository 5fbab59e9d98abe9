package org.alexnet.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;

/**
 * Kryo serialisation of any Java record, the way Java serialisation treats records: the
 * components in declaration order, read back through the canonical constructor (so its
 * validation runs). Kryo 4's FieldSerializer, Spark's default, cannot touch records on JDK 17
 * ("can't get field offset on a record class").
 *
 * <p>Primitive components are written as such; a component whose declared type is also its
 * runtime type (a final class, an array of primitives or of final classes) without its class;
 * anything else with its class, so subclasses and interfaces round-trip.
 */
public final class RecordSerializer<T extends Record> extends Serializer<T> {
    private final Class<?>[] types;
    private final Method[] accessors;
    private final boolean[] exact;
    private final Constructor<T> constructor;

    public RecordSerializer(Class<T> type) {
        if (!type.isRecord()) {
            throw new IllegalArgumentException(type.getName() + " is not a record");
        }
        RecordComponent[] components = type.getRecordComponents();
        types = new Class<?>[components.length];
        accessors = new Method[components.length];
        exact = new boolean[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            accessors[i] = components[i].getAccessor();
            accessors[i].setAccessible(true); // records need not be public
            exact[i] = isExact(types[i]);
        }
        try {
            constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("record " + type.getName() + " has no canonical constructor", e);
        }
    }

    /** Whether a value of declared type {@code t} is always exactly of that class (no class id needed). */
    static boolean isExact(Class<?> t) {
        if (t.isArray()) {
            return t.getComponentType().isPrimitive() || isExact(t.getComponentType());
        }
        return t.isPrimitive() || Modifier.isFinal(t.getModifiers());
    }

    @Override
    public void write(Kryo kryo, Output output, T record) {
        for (int i = 0; i < types.length; i++) {
            Object value = component(record, i);
            Class<?> t = types[i];
            if (t.isPrimitive()) {
                writePrimitive(output, t, value);
            } else if (exact[i]) {
                kryo.writeObjectOrNull(output, value, t);
            } else {
                kryo.writeClassAndObject(output, value);
            }
        }
    }

    @Override
    public T read(Kryo kryo, Input input, Class<T> type) {
        Object[] values = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            if (t.isPrimitive()) {
                values[i] = readPrimitive(input, t);
            } else if (exact[i]) {
                values[i] = kryo.readObjectOrNull(input, t);
            } else {
                values[i] = kryo.readClassAndObject(input);
            }
        }
        try {
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new KryoException("the canonical constructor of " + type.getName() + " refused the serialised "
                    + "components: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new KryoException("cannot construct record " + type.getName(), e);
        }
    }

    private Object component(T record, int i) {
        try {
            return accessors[i].invoke(record);
        } catch (InvocationTargetException e) {
            throw new KryoException("accessor " + accessors[i] + " failed: " + e.getCause(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new KryoException("cannot read " + accessors[i], e);
        }
    }

    private static void writePrimitive(Output out, Class<?> t, Object v) {
        if (t == int.class) {
            out.writeInt((Integer) v);
        } else if (t == long.class) {
            out.writeLong((Long) v);
        } else if (t == double.class) {
            out.writeDouble((Double) v);
        } else if (t == float.class) {
            out.writeFloat((Float) v);
        } else if (t == boolean.class) {
            out.writeBoolean((Boolean) v);
        } else if (t == byte.class) {
            out.writeByte((Byte) v);
        } else if (t == short.class) {
            out.writeShort((Short) v);
        } else {
            out.writeChar((Character) v);
        }
    }

    private static Object readPrimitive(Input in, Class<?> t) {
        if (t == int.class) {
            return in.readInt();
        } else if (t == long.class) {
            return in.readLong();
        } else if (t == double.class) {
            return in.readDouble();
        } else if (t == float.class) {
            return in.readFloat();
        } else if (t == boolean.class) {
            return in.readBoolean();
        } else if (t == byte.class) {
            return in.readByte();
        } else if (t == short.class) {
            return in.readShort();
        }
        return in.readChar();
    }
}
