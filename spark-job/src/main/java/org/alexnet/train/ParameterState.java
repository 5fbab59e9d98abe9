package org.alexnet.train;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.alexnet.train.averaging.FlatArray;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What the driver broadcasts each round and what the round averages: the flat parameter vector
 * and the flat momentum (updater state) vector of the canonical graph, in the model's precision
 * (float; double for the exactness tests). On the wire it is a small header and raw
 * little-endian values copied in bulk ({@link #write}), by Java serialisation ({@link Wire}) and by
 * Kryo ({@link KryoForm}) alike; loaded into and read from the graph with one bulk copy each.
 */
@DefaultSerializer(ParameterState.KryoForm.class)
public final class ParameterState implements Serializable {
    private static final long serialVersionUID = 2L;

    private final transient FlatArray params;
    private final transient FlatArray momentum;

    public ParameterState(FlatArray params, FlatArray momentum) {
        if (params.length() != momentum.length() || params.valueBytes() != momentum.valueBytes()) {
            throw new IllegalArgumentException("classical momentum has one value per parameter, in the same precision: "
                    + params.length() + " parameters vs " + momentum.length() + " momentum values");
        }
        this.params = params;
        this.momentum = momentum;
    }

    /** A float state (the values are copied). */
    public ParameterState(float[] params, float[] momentum) {
        this(FlatArray.of(params), FlatArray.of(momentum));
    }

    /** A copy of the graph's parameters and momentum. */
    public static ParameterState of(ComputationGraph graph) {
        return new ParameterState(FlatArray.copyOf(graph.params()),
                FlatArray.copyOf(graph.getUpdater().getStateViewArray()));
    }

    /** Writes this state into the graph (parameters and momentum, in the graph's precision). */
    public void loadInto(ComputationGraph graph) {
        params.writeTo(graph.params());
        momentum.writeTo(graph.getUpdater().getStateViewArray());
    }

    public FlatArray params() {
        return params;
    }

    public FlatArray momentum() {
        return momentum;
    }

    /** Values per vector (parameters; momentum has as many). */
    public int size() {
        return params.length();
    }

    /** Bytes of parameters and momentum together: what one model state weighs on the wire. */
    public long bytes() {
        return 2L * size() * params.valueBytes();
    }

    /** Header (value bytes, length) then parameters and momentum as raw little-endian values. */
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(params.valueBytes());
        out.writeInt(size());
        byte[] chunk = FlatArray.newChunk();
        params.write(out, chunk);
        momentum.write(out, chunk);
    }

    /** Reads what {@link #write} wrote. */
    public static ParameterState read(DataInputStream in) throws IOException {
        int valueBytes = in.readInt();
        int n = in.readInt();
        FlatArray p = FlatArray.read(in, valueBytes, n);
        return new ParameterState(p, FlatArray.read(in, valueBytes, n));
    }

    /** Java serialisation (broadcasts) goes through {@link #write}: several times faster than per-element. */
    private Object writeReplace() {
        return new Wire(this);
    }

    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a ParameterState is serialised as its Wire form");
    }

    /** The Java-serialised form: the bytes of {@link #write}; should a Wire itself meet Kryo, it goes through Java. */
    @DefaultSerializer(JavaSerializer.class)
    private static final class Wire implements Serializable {
        private static final long serialVersionUID = 2L;
        private transient ParameterState state;

        Wire(ParameterState state) {
            this.state = state;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            DataOutputStream data = new DataOutputStream(out);
            state.write(data);
            data.flush();
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            state = ParameterState.read(new DataInputStream(in));
        }

        private Object readResolve() {
            return state;
        }
    }

    /**
     * Spark's KryoSerializer's form of a ParameterState (named by {@code @DefaultSerializer}, so
     * no registration is needed): the bytes of {@link #write} without Java serialisation's framing.
     */
    public static final class KryoForm extends Serializer<ParameterState> {
        @Override
        public void write(Kryo kryo, Output output, ParameterState state) {
            try {
                state.write(new DataOutputStream(output));
            } catch (IOException e) {
                throw new KryoException(e);
            }
        }

        @Override
        public ParameterState read(Kryo kryo, Input input, Class<ParameterState> type) {
            try {
                return ParameterState.read(new DataInputStream(input));
            } catch (IOException e) {
                throw new KryoException(e);
            }
        }
    }
}
