package org.alexnet.train.averaging;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.alexnet.model.Backend;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A flat vector of a model's values (parameters or momentum) in the model's precision (float for
 * training, double for the exactness tests), held as the raw little-endian bytes it crosses the
 * network as. A round moves the full model's 488 MB several times (broadcast, into and out of each
 * replica, through the shuffle, to the driver); keeping the wire format in memory makes each of
 * those moves one bulk byte copy, with no per-element conversion and no intermediate arrays.
 * A view ({@link #slice}, {@link #view}, {@link #wrap}) shares its bytes with what it views.
 * At most 2^31 - 1 bytes per vector (536 M floats; AlexNet has 61 M).
 */
public final class FlatArray {
    private final ByteBuffer bytes; // little-endian, [0, limit) are the values
    private final int valueBytes;

    private FlatArray(ByteBuffer bytes, int valueBytes) {
        if (valueBytes != Float.BYTES && valueBytes != Double.BYTES) {
            throw new IllegalArgumentException("values of " + valueBytes + " bytes: only 4 (float) and 8 (double)");
        }
        this.bytes = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.valueBytes = valueBytes;
        if (this.bytes.remaining() % valueBytes != 0) {
            throw new IllegalArgumentException(this.bytes.remaining() + " bytes are not whole values of " + valueBytes);
        }
    }

    /** A copy of float values. */
    public static FlatArray of(float[] values) {
        FlatArray a = zeros(Float.BYTES, values.length);
        a.bytes.asFloatBuffer().put(values);
        return a;
    }

    /** A copy of double values. */
    public static FlatArray of(double[] values) {
        FlatArray a = zeros(Double.BYTES, values.length);
        a.bytes.asDoubleBuffer().put(values);
        return a;
    }

    /** Zeros of {@code valueBytes} (4 or 8) bytes each. */
    public static FlatArray zeros(int valueBytes, int length) {
        long n = (long) valueBytes * length;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(length + " values of " + valueBytes + " bytes exceed 2^31 - 1 bytes");
        }
        return new FlatArray(ByteBuffer.allocate((int) n), valueBytes);
    }

    /** Views {@code length} values of {@code valueBytes} bytes in {@code array} from byte {@code offset} (not copied). */
    public static FlatArray wrap(byte[] array, int offset, int valueBytes, int length) {
        return new FlatArray(ByteBuffer.wrap(array, offset, valueBytes * length), valueBytes);
    }

    /** Views {@code length} values of {@code valueBytes} bytes in {@code buffer} from byte {@code offset} (not copied). */
    public static FlatArray wrap(ByteBuffer buffer, int offset, int valueBytes, int length) {
        return new FlatArray(buffer.duplicate().position(offset).limit(offset + valueBytes * length), valueBytes);
    }

    /** A copy of a whole flat ND4J array: double arrays stay double, everything else becomes float. */
    public static FlatArray copyOf(INDArray a) {
        return view(a, 0, Math.toIntExact(a.length())).copy();
    }

    /**
     * The values [from, to) of a flat ND4J array (a worker's piece of a shard, read from its
     * model's parameter or momentum vector): a view of the array's own memory on the CPU backend,
     * valid while the array is not changed; a copy elsewhere.
     */
    public static FlatArray view(INDArray a, int from, int to) {
        if (from < 0 || to > a.length() || from > to) {
            throw new IndexOutOfBoundsException("values [" + from + ", " + to + ") of " + a.length());
        }
        Nd4j.getExecutioner().commit(); // pending ops on the array must have written it
        if (sharesHostMemory(a)) {
            int vb = a.dataType() == DataType.DOUBLE ? Double.BYTES : Float.BYTES;
            ByteBuffer all = a.data().asNio();
            return new FlatArray(all.duplicate().position(from * vb).limit(to * vb), vb);
        }
        INDArray range = a.reshape(a.length()).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to));
        return a.dataType() == DataType.DOUBLE ? of(range.toDoubleVector())
                : of(range.castTo(DataType.FLOAT).toFloatVector());
    }

    /**
     * The array's memory is a little-endian host buffer holding exactly its float or double
     * values, so bytes can be copied straight between it and a flat array: on the CPU backend
     * (a device backend keeps its own copy), of an array that owns its whole buffer.
     */
    private static boolean sharesHostMemory(INDArray a) {
        return Backend.isCpu() && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                && a.offset() == 0 && a.data().length() == a.length()
                && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE);
    }

    public int length() {
        return bytes.remaining() / valueBytes;
    }

    /** Bytes per value: 4 or 8. */
    public int valueBytes() {
        return valueBytes;
    }

    /** The values [from, to), sharing these bytes. */
    public FlatArray slice(int from, int to) {
        if (from < 0 || to > length() || from > to) {
            throw new IndexOutOfBoundsException("values [" + from + ", " + to + ") of " + length());
        }
        return new FlatArray(bytes.duplicate().position(from * valueBytes).limit(to * valueBytes), valueBytes);
    }

    /** A copy in a fresh heap buffer. */
    public FlatArray copy() {
        FlatArray c = zeros(valueBytes, length());
        c.bytes.put(bytes.duplicate()).flip();
        return c;
    }

    /** Zeros of this precision. */
    public FlatArray zerosLike(int length) {
        return zeros(valueBytes, length);
    }

    /** Copies every value into {@code target} starting at value {@code offset}. */
    public void copyInto(FlatArray target, int offset) {
        if (target.valueBytes != valueBytes) {
            throw new IllegalArgumentException("cannot copy " + valueBytes + "-byte values into " + target.valueBytes);
        }
        target.bytes.duplicate().position(offset * valueBytes).put(bytes.duplicate());
    }

    /** Values handled per bulk copy in {@link #addWeighted} and {@link #setQuotients}: plain arrays the JIT vectorises. */
    private static final int BLOCK = 1 << 14;

    /** {@code sums[i] += weight * value[from + i]} for i < n, in double. */
    public void addWeighted(double weight, double[] sums, int from, int n) {
        if (valueBytes == Float.BYTES) {
            FloatBuffer v = bytes.asFloatBuffer();
            float[] block = new float[Math.min(BLOCK, n)];
            for (int done = 0; done < n; done += block.length) {
                int k = Math.min(block.length, n - done);
                v.get(from + done, block, 0, k);
                for (int i = 0; i < k; i++) {
                    sums[done + i] += weight * block[i];
                }
            }
        } else {
            DoubleBuffer v = bytes.asDoubleBuffer();
            double[] block = new double[Math.min(BLOCK, n)];
            for (int done = 0; done < n; done += block.length) {
                int k = Math.min(block.length, n - done);
                v.get(from + done, block, 0, k);
                for (int i = 0; i < k; i++) {
                    sums[done + i] += weight * block[i];
                }
            }
        }
    }

    /** Sets value {@code offset + i} to {@code sums[i] / total} for i < n, rounded to this precision. */
    public void setQuotients(double[] sums, int n, double total, int offset) {
        if (valueBytes == Float.BYTES) {
            FloatBuffer v = bytes.asFloatBuffer();
            float[] block = new float[Math.min(BLOCK, n)];
            for (int done = 0; done < n; done += block.length) {
                int k = Math.min(block.length, n - done);
                for (int i = 0; i < k; i++) {
                    block[i] = (float) (sums[done + i] / total);
                }
                v.put(offset + done, block, 0, k);
            }
        } else {
            DoubleBuffer v = bytes.asDoubleBuffer();
            double[] block = new double[Math.min(BLOCK, n)];
            for (int done = 0; done < n; done += block.length) {
                int k = Math.min(block.length, n - done);
                for (int i = 0; i < k; i++) {
                    block[i] = sums[done + i] / total;
                }
                v.put(offset + done, block, 0, k);
            }
        }
    }

    /** Writes the values into a flat ND4J array of the same length (any data type). */
    public void writeTo(INDArray target) {
        if (target.length() != length()) {
            throw new IllegalStateException("the model has " + target.length() + " values here, the state " + length());
        }
        int targetBytes = target.dataType() == DataType.DOUBLE ? Double.BYTES : Float.BYTES;
        if (sharesHostMemory(target) && targetBytes == valueBytes) {
            Nd4j.getExecutioner().commit();
            target.data().asNio().duplicate().put(bytes.duplicate());
        } else {
            INDArray values = valueBytes == Float.BYTES ? Nd4j.createFromArray(floats()) : Nd4j.createFromArray(doubles());
            target.assign(values.castTo(target.dataType()).reshape(target.shape()));
        }
    }

    /** The value at {@code i}, widened to double. */
    public double get(int i) {
        return valueBytes == Float.BYTES ? bytes.getFloat(i * Float.BYTES) : bytes.getDouble(i * Double.BYTES);
    }

    /** A copy of the values as floats (a double array is rounded). */
    public float[] floats() {
        float[] out = new float[length()];
        if (valueBytes == Float.BYTES) {
            bytes.asFloatBuffer().get(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) get(i);
            }
        }
        return out;
    }

    /** A copy of the values as doubles. */
    public double[] doubles() {
        double[] out = new double[length()];
        if (valueBytes == Double.BYTES) {
            bytes.asDoubleBuffer().get(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = get(i);
            }
        }
        return out;
    }

    /** Writes the raw little-endian bytes (no header); {@code chunk} stages bytes that are not on the heap. */
    public void write(OutputStream out, byte[] chunk) throws IOException {
        if (bytes.hasArray()) {
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            return;
        }
        ByteBuffer from = bytes.duplicate();
        while (from.hasRemaining()) {
            int n = Math.min(chunk.length, from.remaining());
            from.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    /** Reads {@code length} raw little-endian values of {@code valueBytes} bytes each into a fresh array. */
    public static FlatArray read(DataInputStream in, int valueBytes, int length) throws IOException {
        if (length < 0) {
            throw new IOException("negative length " + length);
        }
        FlatArray a = zeros(valueBytes, length);
        // in reads of 1 MiB: a file stream asked for hundreds of MB at once stages them all in a native buffer
        byte[] array = a.bytes.array();
        int end = a.bytes.arrayOffset() + a.bytes.remaining();
        for (int at = a.bytes.arrayOffset(); at < end; at += 1 << 20) {
            in.readFully(array, at, Math.min(1 << 20, end - at));
        }
        return a;
    }

    /** A staging buffer for {@link #write}. */
    public static byte[] newChunk() {
        return new byte[1 << 20];
    }
}
