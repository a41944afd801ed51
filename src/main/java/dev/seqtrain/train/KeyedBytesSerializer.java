package dev.seqtrain.train;

import org.apache.spark.serializer.DeserializationStream;
import org.apache.spark.serializer.SerializationStream;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import scala.reflect.ClassTag;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The shuffle format of the packing shuffle's records, (long key, encoded example): eight bytes of
 * key, four of length, the bytes. No stream header and no state, so serialized records can be moved
 * and concatenated, which lets Spark sort them serialized (its "tungsten" shuffle path) instead of as
 * objects; and no Java serialization, whose per-record cost dominated packing.
 */
final class KeyedBytesSerializer extends Serializer implements Serializable {
    @Override
    public SerializerInstance newInstance() {
        return new Instance();
    }

    @Override
    public boolean supportsRelocationOfSerializedObjects() {
        return true;
    }

    private interface IoAction {
        void run() throws IOException;
    }

    /** Spark's stream methods declare no exceptions: an I/O failure travels unchecked. */
    private static void unchecked(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E undeclared(Throwable t) throws E {
        throw (E) t;
    }

    private static final class Instance extends SerializerInstance {
        @Override
        public <T> ByteBuffer serialize(T t, ClassTag<T> tag) {
            throw new UnsupportedOperationException("keyed-bytes records are only streamed");
        }

        @Override
        public <T> T deserialize(ByteBuffer bytes, ClassTag<T> tag) {
            throw new UnsupportedOperationException("keyed-bytes records are only streamed");
        }

        @Override
        public <T> T deserialize(ByteBuffer bytes, ClassLoader loader, ClassTag<T> tag) {
            throw new UnsupportedOperationException("keyed-bytes records are only streamed");
        }

        @Override
        public SerializationStream serializeStream(OutputStream s) {
            DataOutputStream out = new DataOutputStream(s);
            return new SerializationStream() {
                @Override
                public <T> SerializationStream writeObject(T t, ClassTag<T> tag) {
                    try {
                        if (t instanceof Long key) {
                            out.writeLong(key);
                        } else {
                            byte[] b = (byte[]) t;
                            out.writeInt(b.length);
                            out.write(b);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return this;
                }

                @Override
                public void flush() {
                    unchecked(out::flush);
                }

                @Override
                public void close() {
                    unchecked(out::close);
                }
            };
        }

        @Override
        public DeserializationStream deserializeStream(InputStream s) {
            DataInputStream in = new DataInputStream(s);
            return new DeserializationStream() {
                @Override
                public <T> T readObject(ClassTag<T> tag) {
                    throw new UnsupportedOperationException("read keys and values");
                }

                @Override
                @SuppressWarnings("unchecked")
                public <T> T readKey(ClassTag<T> tag) {
                    try {
                        return (T) Long.valueOf(in.readLong());
                    } catch (EOFException e) {
                        // The end of the stream: Spark's key-value iterator stops on exactly this exception,
                        // which Scala lets a method throw undeclared.
                        throw KeyedBytesSerializer.<RuntimeException>undeclared(e);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                @SuppressWarnings("unchecked")
                public <T> T readValue(ClassTag<T> tag) {
                    try {
                        int n = in.readInt();
                        if (n < 0) {
                            throw new IOException("negative record length " + n);
                        }
                        byte[] b = new byte[n];
                        in.readFully(b);
                        return (T) b;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                public void close() {
                    unchecked(in::close);
                }
            };
        }
    }
}
