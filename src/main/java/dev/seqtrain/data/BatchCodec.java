package dev.seqtrain.data;

import dev.seqtrain.nn.MiniBatch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The compact bytes of a packed {@link MiniBatch}, the form in which batches are persisted (in memory
 * or spilled to local disk) between rounds: a header, the lengths, token ids and class targets in the
 * narrowest integer type that holds them, features and value targets as float32. Decoding checks
 * every size before allocating, like any reader of bytes.
 */
public final class BatchCodec {
    private static final int VERSION = 1;
    /** Header flag: the class targets are the next step's tokens (a language model), only the last step's are stored. */
    private static final int NEXT_TOKENS = 1 << 8;

    private BatchCodec() {
    }

    public static byte[] encode(MiniBatch b, int idWidth) {
        boolean next = nextTokens(b);
        int size = 4 * 8 + 4 * b.size();
        size += b.tokens() != null ? b.tokens().length * idWidth : 0;
        size += b.features() != null ? 4 * b.features().length : 0;
        size += b.classTargets() != null ? (next ? b.size() : b.classTargets().length) * idWidth : 0;
        size += b.valueTargets() != null ? 4 * b.valueTargets().length : 0;
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(VERSION).putInt(idWidth | (next ? NEXT_TOKENS : 0)).putInt(b.steps()).putInt(b.size()).putInt(b.inputSize())
                .putInt(b.features() != null ? b.features().length : -1)
                .putInt(b.classTargets() != null ? b.classTargets().length : -1)
                .putInt(b.valueTargets() != null ? b.valueTargets().length : -1);
        for (int len : b.lengths()) {
            out.putInt(len);
        }
        if (b.tokens() != null) {
            ExampleCodec.putIds(out, b.tokens(), idWidth);
        } else {
            out.asFloatBuffer().put(b.features());
            out.position(out.position() + 4 * b.features().length);
        }
        if (next) {
            int[] last = new int[b.size()];
            System.arraycopy(b.classTargets(), (b.steps() - 1) * b.size(), last, 0, b.size());
            ExampleCodec.putIds(out, last, idWidth);
        } else if (b.classTargets() != null) {
            ExampleCodec.putIds(out, b.classTargets(), idWidth);
        }
        if (b.valueTargets() != null) {
            out.asFloatBuffer().put(b.valueTargets());
        }
        return out.array();
    }

    /** Whether the targets of every step but the last are the next step's tokens (then they need not be stored). */
    private static boolean nextTokens(MiniBatch b) {
        if (b.tokens() == null || b.classTargets() == null || b.classTargets().length != b.tokens().length) {
            return false;
        }
        int n = b.size();
        for (int i = 0; i + n < b.tokens().length; i++) {
            if (b.classTargets()[i] != b.tokens()[i + n]) {
                return false;
            }
        }
        return true;
    }

    public static MiniBatch decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 32 || in.getInt() != VERSION) {
            throw new IllegalArgumentException("not a packed batch of version " + VERSION);
        }
        int flags = in.getInt();
        boolean next = (flags & NEXT_TOKENS) != 0;
        int width = flags & 0xff;
        int steps = in.getInt();
        int size = in.getInt();
        int inputSize = in.getInt();
        int features = in.getInt();
        int classes = in.getInt();
        int values = in.getInt();
        long need = 32L + 4L * size + (features >= 0 ? 4L * features : (long) steps * size * width)
                + (classes >= 0 ? (long) (next ? size : classes) * width : 0) + (values >= 0 ? 4L * values : 0);
        if ((width != 1 && width != 2 && width != 4) || steps < 1 || size < 1 || need != bytes.length) {
            throw new IllegalArgumentException("packed batch of " + bytes.length + " bytes has an inconsistent header");
        }
        int[] lengths = new int[size];
        for (int i = 0; i < size; i++) {
            lengths[i] = in.getInt();
        }
        int[] tokens = null;
        float[] f = null;
        if (features >= 0) {
            f = new float[features];
            in.asFloatBuffer().get(f);
            in.position(in.position() + 4 * features);
        } else {
            tokens = ExampleCodec.getIds(in, steps * size, width);
        }
        int[] classTargets = null;
        if (next) {
            if (tokens == null || classes != steps * size) {
                throw new IllegalArgumentException("packed batch has next-token targets without tokens");
            }
            classTargets = new int[classes];
            System.arraycopy(tokens, size, classTargets, 0, (steps - 1) * size);
            int[] last = ExampleCodec.getIds(in, size, width);
            System.arraycopy(last, 0, classTargets, (steps - 1) * size, size);
        } else if (classes >= 0) {
            classTargets = ExampleCodec.getIds(in, classes, width);
        }
        float[] valueTargets = null;
        if (values >= 0) {
            valueTargets = new float[values];
            in.asFloatBuffer().get(valueTargets);
        }
        return new MiniBatch(steps, size, inputSize, lengths, f, tokens, classTargets, valueTargets);
    }
}
