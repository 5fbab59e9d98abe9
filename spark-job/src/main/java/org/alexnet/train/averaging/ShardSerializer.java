package org.alexnet.train.averaging;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.spark.serializer.DeserializationStream;
import org.apache.spark.serializer.SerializationStream;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import scala.reflect.ClassTag;

/**
 * Spark serializer of the averaging shuffle only: (shard, {@link StatePiece}) records as a few
 * header fields and raw little-endian values copied in bulk. Whatever {@code spark.serializer}
 * the job runs with (Java or Kryo), the model's numbers cross the shuffle in this one format,
 * without per-element conversion or object-stream framing.
 */
public final class ShardSerializer extends Serializer implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static final int BUFFER = 1 << 16;

    @Override
    public SerializerInstance newInstance() {
        return new Instance();
    }

    private static final class Instance extends SerializerInstance {
        @Override
        public <T> ByteBuffer serialize(T t, ClassTag<T> tag) {
            throw new UnsupportedOperationException("the averaging shuffle serializer only streams records");
        }

        @Override
        public <T> T deserialize(ByteBuffer bytes, ClassTag<T> tag) {
            throw new UnsupportedOperationException("the averaging shuffle serializer only streams records");
        }

        @Override
        public <T> T deserialize(ByteBuffer bytes, ClassLoader loader, ClassTag<T> tag) {
            throw new UnsupportedOperationException("the averaging shuffle serializer only streams records");
        }

        @Override
        public SerializationStream serializeStream(OutputStream s) {
            return new Writer(s);
        }

        @Override
        public DeserializationStream deserializeStream(InputStream s) {
            return new Reader(s);
        }
    }

    /** Keys are shard numbers (ints), values pieces. */
    private static final class Writer extends SerializationStream {
        private final DataOutputStream out;
        private final byte[] chunk = FlatArray.newChunk();

        Writer(OutputStream s) {
            this.out = new DataOutputStream(new BufferedOutputStream(s, BUFFER));
        }

        @Override
        public <T> SerializationStream writeKey(T key, ClassTag<T> tag) {
            try {
                out.writeInt((Integer) key);
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public <T> SerializationStream writeValue(T value, ClassTag<T> tag) {
            try {
                ((StatePiece) value).write(out, chunk);
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public <T> SerializationStream writeObject(T t, ClassTag<T> tag) {
            throw new UnsupportedOperationException("the averaging shuffle writes (shard, piece) pairs only");
        }

        @Override
        public void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Reads (shard, piece) pairs; the end of the stream ends the records (Spark's iterators stop at EOFException). */
    private static final class Reader extends DeserializationStream {
        private final DataInputStream in;

        Reader(InputStream s) {
            this.in = new DataInputStream(new BufferedInputStream(s, BUFFER));
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T readKey(ClassTag<T> tag) {
            try {
                return (T) (Integer) in.readInt();
            } catch (EOFException end) {
                throw sneaky(end); // the end of the records
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T readValue(ClassTag<T> tag) {
            try {
                return (T) StatePiece.read(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public <T> T readObject(ClassTag<T> tag) {
            throw new UnsupportedOperationException("the averaging shuffle reads (shard, piece) pairs only");
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Spark's record iterators expect a raw EOFException at the end of a stream. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
