package org.alexnet.train;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the driver broadcasts each round and averages back: the flat parameter vector and the
 * flat momentum (updater state) vector of the canonical graph, as plain float arrays (the wire
 * format: no ND4J object crosses the network). Serialised as raw little-endian floats copied in
 * bulk, by Java serialisation ({@link Wire}) and by Kryo ({@link KryoForm}) alike; loaded into and
 * read from the graph with one bulk copy each.
 */
@DefaultSerializer(ParameterState.KryoForm.class)
public final class ParameterState implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int CHUNK_FLOATS = 1 << 18;

    private final float[] params;
    private final float[] momentum;

    public ParameterState(float[] params, float[] momentum) {
        if (params.length != momentum.length) {
            throw new IllegalArgumentException("classical momentum has one value per parameter: "
                    + params.length + " parameters vs " + momentum.length + " momentum values");
        }
        this.params = params;
        this.momentum = momentum;
    }

    /** A copy of the graph's parameters and momentum. */
    public static ParameterState of(ComputationGraph graph) {
        return new ParameterState(read(graph.params()), read(graph.getUpdater().getStateViewArray()));
    }

    /** Writes this state into the graph (parameters and momentum, in the graph's precision). */
    public void loadInto(ComputationGraph graph) {
        INDArray p = graph.params();
        INDArray m = graph.getUpdater().getStateViewArray();
        if (p.length() != params.length || m.length() != momentum.length) {
            throw new IllegalStateException("the graph has " + p.length() + " parameters, the state " + params.length);
        }
        write(params, p);
        write(momentum, m);
    }

    /**
     * The graph's flat parameter and updater arrays own their whole float buffer: copy straight
     * between it and the Java array (one memcpy; createFromArray + assign made two, and
     * toFloatVector goes through ND4J's indexer). Only on the CPU backend, where that buffer is
     * the array's memory (a device backend keeps its own copy); anything else takes ND4J's path.
     */
    private static boolean wholeFloatBuffer(INDArray a) {
        return Nd4j.getEnvironment().isCPU() && a.dataType() == DataType.FLOAT && a.offset() == 0 && a.data().length() == a.length()
                && a.length() <= Integer.MAX_VALUE;
    }

    private static FloatBuffer floats(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static float[] read(INDArray a) {
        if (!wholeFloatBuffer(a)) {
            return a.castTo(DataType.FLOAT).toFloatVector();
        }
        Nd4j.getExecutioner().commit(); // pending ops on the array must have written it
        float[] out = new float[(int) a.length()];
        floats(a).get(out);
        return out;
    }

    private static void write(float[] values, INDArray target) {
        if (!wholeFloatBuffer(target)) {
            target.assign(Nd4j.createFromArray(values).castTo(target.dataType()).reshape(target.shape()));
            return;
        }
        Nd4j.getExecutioner().commit();
        floats(target).put(values);
    }

    public float[] params() {
        return params;
    }

    public float[] momentum() {
        return momentum;
    }

    public int size() {
        return params.length;
    }

    /** Serialised as its {@link Wire} form. */
    private Object writeReplace() {
        return new Wire(params, momentum);
    }

    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a ParameterState is serialised as its Wire form");
    }

    /**
     * The serialised form: the length, then parameters and momentum as raw little-endian floats,
     * converted in bulk through a 1 MiB buffer. Java serialisation of a float[] converts element
     * by element; for the full model's 2 x 61 M floats per broadcast and per worker result the
     * bulk copy is several times faster on both ends. Kryo takes the same bytes ({@link KryoForm});
     * should a Wire itself ever meet Kryo, it goes through its Java form.
     */
    @DefaultSerializer(JavaSerializer.class)
    private static final class Wire implements Serializable {
        private static final long serialVersionUID = 1L;

        private transient float[] params;
        private transient float[] momentum;

        Wire(float[] params, float[] momentum) {
            this.params = params;
            this.momentum = momentum;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            out.writeInt(params.length);
            writeFloats(out, params, momentum);
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            float[][] state = readFloats(in, in.readInt());
            params = state[0];
            momentum = state[1];
        }

        private Object readResolve() {
            return new ParameterState(params, momentum);
        }
    }

    /**
     * Spark's KryoSerializer's form of a ParameterState (named by {@code @DefaultSerializer}, so
     * no registration is needed): the {@link Wire} bytes without Java serialisation's framing.
     */
    public static final class KryoForm extends Serializer<ParameterState> {
        @Override
        public void write(Kryo kryo, Output output, ParameterState state) {
            output.writeInt(state.size());
            try {
                writeFloats(output, state.params, state.momentum);
            } catch (IOException e) {
                throw new KryoException(e);
            }
        }

        @Override
        public ParameterState read(Kryo kryo, Input input, Class<ParameterState> type) {
            try {
                float[][] state = readFloats(input, input.readInt());
                return new ParameterState(state[0], state[1]);
            } catch (IOException e) {
                throw new KryoException(e);
            }
        }
    }

    /** Parameters then momentum, raw little-endian floats, converted in 1 MiB chunks. */
    private static void writeFloats(OutputStream out, float[] params, float[] momentum) throws IOException {
        byte[] chunk = new byte[CHUNK_FLOATS * Float.BYTES];
        FloatBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (float[] values : new float[][] {params, momentum}) {
            for (int off = 0; off < values.length; off += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, values.length - off);
                view.clear();
                view.put(values, off, n);
                out.write(chunk, 0, n * Float.BYTES);
            }
        }
    }

    /** What {@link #writeFloats} wrote for {@code length} parameters: {params, momentum}. */
    private static float[][] readFloats(InputStream in, int length) throws IOException {
        if (length < 0) {
            throw new InvalidObjectException("negative parameter count " + length);
        }
        byte[] chunk = new byte[CHUNK_FLOATS * Float.BYTES];
        FloatBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[][] state = new float[2][length];
        for (float[] values : state) {
            for (int off = 0; off < length; off += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, length - off);
                readFully(in, chunk, n * Float.BYTES);
                view.clear();
                view.get(values, off, n);
            }
        }
        return state;
    }

    private static void readFully(InputStream in, byte[] buffer, int length) throws IOException {
        for (int read = 0; read < length; ) {
            int n = in.read(buffer, read, length - read);
            if (n < 0) {
                throw new EOFException("parameter state truncated: " + read + " of " + length + " bytes of a chunk");
            }
            read += n;
        }
    }
}
