package org.alexnet.archive;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.alexnet.model.Backend;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Flat arrays as raw little-endian values, the archive's only binary encoding (no header: the
 * archive's format.json says the type and count) and safetensors' (the export). Parameters and momentum are copied in 1 MiB
 * chunks straight between ND4J's off-heap buffer and the stream on the CPU backend, so a full
 * model (61 M floats) never needs a second copy on the heap.
 */
public final class RawArrays {
    private static final int CHUNK = 1 << 20;

    private RawArrays() {
    }

    /** The archive's name of a floating-point type ("F32", "F64"; safetensors uses the same). */
    public static String typeName(DataType type) {
        return switch (type) {
            case FLOAT -> "F32";
            case DOUBLE -> "F64";
            default -> throw new IllegalArgumentException("parameters of type " + type + " are not stored");
        };
    }

    static DataType type(String name) throws IOException {
        return switch (name) {
            case "F32" -> DataType.FLOAT;
            case "F64" -> DataType.DOUBLE;
            default -> throw new IOException("unknown parameter type '" + name + "' (F32 or F64)");
        };
    }

    /** Writes every element of {@code array} (in its 'c' order) as little-endian values of its type. */
    public static void write(INDArray array, OutputStream out) throws IOException {
        ByteBuffer source = nativeBuffer(array);
        if (source == null) { // a device backend, or a view: through the heap
            INDArray flat = array.dup('c').reshape(array.length());
            source = array.dataType() == DataType.DOUBLE
                    ? doubles(flat.toDoubleVector()) : floats(flat.toFloatVector());
        }
        int width = array.dataType().width();
        byte[] chunk = new byte[CHUNK];
        ByteBuffer le = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        while (source.hasRemaining()) {
            int n = Math.min(CHUNK / width, source.remaining() / width);
            le.clear();
            copy(source, le, n, width);
            out.write(chunk, 0, n * width);
        }
    }

    /** Reads {@code count} little-endian values of {@code type} into a new [1, count] array. */
    static INDArray read(InputStream in, DataType type, long count) throws IOException {
        if (count < 0 || count > Integer.MAX_VALUE) {
            throw new IOException("cannot hold " + count + " values in one array");
        }
        INDArray array = Nd4j.createUninitialized(type, 1, count);
        ByteBuffer target = nativeBuffer(array);
        ByteBuffer heap = target == null ? ByteBuffer.allocate((int) count * type.width()).order(ByteOrder.nativeOrder()) : null;
        ByteBuffer into = target == null ? heap : target;
        int width = type.width();
        byte[] chunk = new byte[CHUNK];
        ByteBuffer le = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        while (into.hasRemaining()) {
            int n = Math.min(CHUNK, into.remaining());
            readFully(in, chunk, n);
            le.clear().limit(n);
            copy(le, into, n / width, width);
        }
        if (heap != null) {
            heap.flip();
            INDArray values = type == DataType.DOUBLE
                    ? Nd4j.createFromArray(toDoubles(heap)) : Nd4j.createFromArray(toFloats(heap));
            array.assign(values.reshape(1, count));
        }
        return array;
    }

    /** A float array as little-endian bytes. */
    public static byte[] bytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    /** Little-endian bytes as floats; the length must be a whole number of floats. */
    static float[] floats(byte[] bytes) {
        float[] out = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /**
     * The array's own memory when it can be read and written in place: the CPU backend, a
     * whole, contiguous buffer (the graph's flat parameter and updater arrays are). Else null.
     */
    private static ByteBuffer nativeBuffer(INDArray a) {
        boolean whole = Backend.isCpu() && a.offset() == 0 && a.data().length() == a.length()
                && a.length() * a.dataType().width() <= Integer.MAX_VALUE
                && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE);
        if (!whole) {
            return null;
        }
        Nd4j.getExecutioner().commit(); // pending ops on the array must have finished
        ByteBuffer b = a.data().asNio().order(ByteOrder.nativeOrder());
        b.position(0).limit((int) (a.length() * a.dataType().width()));
        return b;
    }

    private static void copy(ByteBuffer from, ByteBuffer to, int values, int width) {
        if (from.order() == to.order()) {
            ByteBuffer slice = from.slice().limit(values * width);
            to.put(slice);
            from.position(from.position() + values * width);
        } else if (width == Float.BYTES) {
            for (int i = 0; i < values; i++) {
                to.putFloat(from.getFloat());
            }
        } else {
            for (int i = 0; i < values; i++) {
                to.putDouble(from.getDouble());
            }
        }
    }

    private static ByteBuffer floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(v);
        return b;
    }

    private static ByteBuffer doubles(double[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Double.BYTES).order(ByteOrder.nativeOrder());
        b.asDoubleBuffer().put(v);
        return b;
    }

    private static float[] toFloats(ByteBuffer b) {
        float[] out = new float[b.remaining() / Float.BYTES];
        b.asFloatBuffer().get(out);
        return out;
    }

    private static double[] toDoubles(ByteBuffer b) {
        double[] out = new double[b.remaining() / Double.BYTES];
        b.asDoubleBuffer().get(out);
        return out;
    }

    private static void readFully(InputStream in, byte[] buffer, int length) throws IOException {
        int off = 0;
        while (off < length) {
            int n = in.read(buffer, off, length - off);
            if (n < 0) {
                throw new EOFException("ends after " + off + " of " + length + " bytes");
            }
            off += n;
        }
    }
}
