package org.alexnet.train.averaging;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A flat vector of a model's values (parameters or momentum) in the model's precision: float for
 * training, double for the exactness tests. It is what crosses the network, as raw little-endian
 * values copied in bulk ({@link #write}, {@link #read}); no ND4J object travels.
 */
public abstract sealed class FlatArray permits FlatArray.Floats, FlatArray.Doubles {
    /** Bytes of the staging buffer of the bulk copies. */
    private static final int CHUNK_BYTES = 1 << 20;

    public abstract int length();

    /** Bytes per value: 4 or 8. */
    public abstract int valueBytes();

    /** A copy of the values [from, to). */
    public abstract FlatArray slice(int from, int to);

    /** Copies all values into {@code target} starting at {@code offset}. */
    public abstract void copyInto(FlatArray target, int offset);

    /** {@code sums[i] += weight * value[i]} for every value, in double. */
    public abstract void addWeighted(double weight, double[] sums);

    /** Writes the values into a flat ND4J array of the same length (any data type). */
    public abstract void writeTo(INDArray target);

    /** The values as floats; only for a float array. */
    public float[] floats() {
        throw new IllegalStateException("a double-precision state has no float values");
    }

    /** The values as doubles; only for a double array. */
    public double[] doubles() {
        throw new IllegalStateException("a float state has no double values");
    }

    /** The value at {@code i}, widened to double. */
    public abstract double get(int i);

    /** A zero array of the same precision and the given length. */
    public abstract FlatArray zeros(int length);

    /** {@code sums[i] / total}, rounded to this array's precision, into this array at {@code offset}. */
    public abstract void setQuotients(double[] sums, double total, int offset);

    /** Wraps a float vector (not copied). */
    public static FlatArray of(float[] values) {
        return new Floats(values);
    }

    /** Wraps a double vector (not copied). */
    public static FlatArray of(double[] values) {
        return new Doubles(values);
    }

    /** A copy of a flat ND4J array: double arrays stay double, everything else becomes float. */
    public static FlatArray copyOf(INDArray a) {
        if (a.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("more than 2^31 values: " + a.length());
        }
        Nd4j.getExecutioner().commit(); // pending ops on the array must have written it
        if (a.dataType() == DataType.DOUBLE) {
            return new Doubles(wholeBuffer(a) ? copy(a.data().asNio().order(ByteOrder.nativeOrder()).asDoubleBuffer(),
                    (int) a.length()) : a.toDoubleVector());
        }
        if (a.dataType() == DataType.FLOAT && wholeBuffer(a)) {
            float[] out = new float[(int) a.length()];
            a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer().get(out);
            return new Floats(out);
        }
        return new Floats(a.castTo(DataType.FLOAT).toFloatVector());
    }

    /**
     * A copy of the values [from, to) of a flat ND4J array (a worker's piece of a shard, read
     * straight from its model's parameter or momentum vector).
     */
    public static FlatArray copyOf(INDArray a, int from, int to) {
        if (from < 0 || to > a.length() || from > to) {
            throw new IndexOutOfBoundsException("values [" + from + ", " + to + ") of " + a.length());
        }
        Nd4j.getExecutioner().commit();
        if (wholeBuffer(a)) {
            java.nio.ByteBuffer bytes = a.data().asNio().order(ByteOrder.nativeOrder());
            if (a.dataType() == DataType.DOUBLE) {
                double[] out = new double[to - from];
                bytes.asDoubleBuffer().position(from).get(out);
                return new Doubles(out);
            }
            float[] out = new float[to - from];
            bytes.asFloatBuffer().position(from).get(out);
            return new Floats(out);
        }
        INDArray range = a.reshape(a.length()).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to));
        return a.dataType() == DataType.DOUBLE ? new Doubles(range.toDoubleVector())
                : new Floats(range.castTo(DataType.FLOAT).toFloatVector());
    }

    private static double[] copy(java.nio.DoubleBuffer buffer, int n) {
        double[] out = new double[n];
        buffer.get(out);
        return out;
    }

    /**
     * The array owns its whole host buffer, so values can be copied straight between it and a Java
     * array (one memcpy). Only on the CPU backend, where that buffer is the array's memory; a device
     * backend keeps its own copy and takes ND4J's path.
     */
    static boolean wholeBuffer(INDArray a) {
        return Nd4j.getEnvironment().isCPU() && a.offset() == 0 && a.data().length() == a.length()
                && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE);
    }

    /** Writes the values as raw little-endian numbers (no length or type header). */
    public abstract void write(DataOutputStream out, byte[] chunk) throws IOException;

    /** Reads {@code length} raw little-endian values of {@code valueBytes} bytes each. */
    public static FlatArray read(DataInputStream in, int valueBytes, int length, byte[] chunk) throws IOException {
        if (length < 0) {
            throw new IOException("negative length " + length);
        }
        if (valueBytes == Float.BYTES) {
            float[] v = new float[length];
            int per = chunk.length / Float.BYTES;
            for (int off = 0; off < length; off += per) {
                int n = Math.min(per, length - off);
                in.readFully(chunk, 0, n * Float.BYTES);
                ByteBuffer.wrap(chunk, 0, n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v, off, n);
            }
            return new Floats(v);
        }
        if (valueBytes == Double.BYTES) {
            double[] v = new double[length];
            int per = chunk.length / Double.BYTES;
            for (int off = 0; off < length; off += per) {
                int n = Math.min(per, length - off);
                in.readFully(chunk, 0, n * Double.BYTES);
                ByteBuffer.wrap(chunk, 0, n * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(v, off, n);
            }
            return new Doubles(v);
        }
        throw new IOException("values of " + valueBytes + " bytes: only 4 (float) and 8 (double) are known");
    }

    /** A staging buffer for {@link #write} and {@link #read}. */
    public static byte[] newChunk() {
        return new byte[CHUNK_BYTES];
    }

    /** Float values. */
    static final class Floats extends FlatArray {
        private final float[] v;

        Floats(float[] v) {
            this.v = v;
        }

        @Override
        public int length() {
            return v.length;
        }

        @Override
        public int valueBytes() {
            return Float.BYTES;
        }

        @Override
        public FlatArray slice(int from, int to) {
            return new Floats(java.util.Arrays.copyOfRange(v, from, to));
        }

        @Override
        public void copyInto(FlatArray target, int offset) {
            System.arraycopy(v, 0, target.floats(), offset, v.length);
        }

        @Override
        public void addWeighted(double weight, double[] sums) {
            for (int i = 0; i < v.length; i++) {
                sums[i] += weight * v[i];
            }
        }

        @Override
        public void writeTo(INDArray target) {
            checkLength(target);
            if (target.dataType() == DataType.FLOAT && wholeBuffer(target)) {
                Nd4j.getExecutioner().commit();
                target.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer().put(v);
            } else {
                target.assign(Nd4j.createFromArray(v).castTo(target.dataType()).reshape(target.shape()));
            }
        }

        @Override
        public float[] floats() {
            return v;
        }

        @Override
        public double get(int i) {
            return v[i];
        }

        @Override
        public FlatArray zeros(int length) {
            return new Floats(new float[length]);
        }

        @Override
        public void setQuotients(double[] sums, double total, int offset) {
            for (int i = 0; i < sums.length; i++) {
                v[offset + i] = (float) (sums[i] / total);
            }
        }

        @Override
        public void write(DataOutputStream out, byte[] chunk) throws IOException {
            int per = chunk.length / Float.BYTES;
            for (int off = 0; off < v.length; off += per) {
                int n = Math.min(per, v.length - off);
                ByteBuffer.wrap(chunk, 0, n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(v, off, n);
                out.write(chunk, 0, n * Float.BYTES);
            }
        }
    }

    /** Double values. */
    static final class Doubles extends FlatArray {
        private final double[] v;

        Doubles(double[] v) {
            this.v = v;
        }

        @Override
        public int length() {
            return v.length;
        }

        @Override
        public int valueBytes() {
            return Double.BYTES;
        }

        @Override
        public FlatArray slice(int from, int to) {
            return new Doubles(java.util.Arrays.copyOfRange(v, from, to));
        }

        @Override
        public void copyInto(FlatArray target, int offset) {
            System.arraycopy(v, 0, target.doubles(), offset, v.length);
        }

        @Override
        public void addWeighted(double weight, double[] sums) {
            for (int i = 0; i < v.length; i++) {
                sums[i] += weight * v[i];
            }
        }

        @Override
        public void writeTo(INDArray target) {
            checkLength(target);
            if (target.dataType() == DataType.DOUBLE && wholeBuffer(target)) {
                Nd4j.getExecutioner().commit();
                target.data().asNio().order(ByteOrder.nativeOrder()).asDoubleBuffer().put(v);
            } else {
                target.assign(Nd4j.createFromArray(v).castTo(target.dataType()).reshape(target.shape()));
            }
        }

        @Override
        public double[] doubles() {
            return v;
        }

        @Override
        public double get(int i) {
            return v[i];
        }

        @Override
        public FlatArray zeros(int length) {
            return new Doubles(new double[length]);
        }

        @Override
        public void setQuotients(double[] sums, double total, int offset) {
            for (int i = 0; i < sums.length; i++) {
                v[offset + i] = sums[i] / total;
            }
        }

        @Override
        public void write(DataOutputStream out, byte[] chunk) throws IOException {
            int per = chunk.length / Double.BYTES;
            for (int off = 0; off < v.length; off += per) {
                int n = Math.min(per, v.length - off);
                ByteBuffer.wrap(chunk, 0, n * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().put(v, off, n);
                out.write(chunk, 0, n * Double.BYTES);
            }
        }
    }

    void checkLength(INDArray target) {
        if (target.length() != length()) {
            throw new IllegalStateException("the model has " + target.length() + " values here, the state " + length());
        }
    }
}
