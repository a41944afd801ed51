package dev.seqtrain.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The compact bytes of one {@link SequenceExample}, as it crosses a shuffle: token ids and class
 * labels in the narrowest integer type the vocabulary or class count allows (1, 2 or 4 bytes),
 * features and targets as float32, a few header ints, no per-step objects and no Java serialization.
 */
public final class ExampleCodec {
    private static final int TOKENS = 1;
    private static final int FEATURES = 2;
    private static final int STEP_LABELS = 4;
    private static final int TARGETS = 8;
    /** A language model's window: the targets are the tokens shifted by one, so only the last target is stored. */
    private static final int NEXT_TOKENS = 16;

    private ExampleCodec() {
    }

    /** Bytes per id for ids below {@code distinct}. */
    public static int idWidth(int distinct) {
        return distinct <= 256 ? 1 : distinct <= 65536 ? 2 : 4;
    }

    public static byte[] encode(SequenceExample e, int idWidth) {
        boolean next = isNextToken(e.tokens(), e.stepLabels());
        int flags = (e.tokens() != null ? TOKENS : 0) | (e.features() != null ? FEATURES : 0)
                | (e.stepLabels() != null ? (next ? NEXT_TOKENS : STEP_LABELS) : 0) | (e.targets() != null ? TARGETS : 0);
        int size = 1 + 1 + 4 + 4 + 4;
        size += e.tokens() != null ? e.tokens().length * idWidth : 0;
        size += e.features() != null ? 4 + e.features().length * 4 : 0;
        size += e.stepLabels() != null ? (next ? 1 : e.stepLabels().length) * idWidth : 0;
        size += e.targets() != null ? 4 + e.targets().length * 4 : 0;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) flags).put((byte) idWidth).putInt(e.length()).putInt(e.label()).putInt(0);
        if (e.tokens() != null) {
            putIds(b, e.tokens(), idWidth);
        }
        if (e.features() != null) {
            b.putInt(e.features().length);
            b.asFloatBuffer().put(e.features());
            b.position(b.position() + 4 * e.features().length);
        }
        if (next) {
            putIds(b, new int[] {e.stepLabels()[e.length() - 1]}, idWidth);
        } else if (e.stepLabels() != null) {
            putIds(b, e.stepLabels(), idWidth);
        }
        if (e.targets() != null) {
            b.putInt(e.targets().length);
            b.asFloatBuffer().put(e.targets());
            b.position(b.position() + 4 * e.targets().length);
        }
        return b.array();
    }

    /** Decodes what {@link #encode} wrote; checks every size against the bytes left before allocating. */
    public static SequenceExample decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 14) {
            throw new IllegalArgumentException("an encoded example of " + bytes.length + " bytes is shorter than its header");
        }
        int flags = b.get();
        int width = b.get();
        int length = b.getInt();
        int label = b.getInt();
        b.getInt();
        if ((width != 1 && width != 2 && width != 4) || length < 1) {
            throw new IllegalArgumentException("an encoded example has an inconsistent header (id width " + width + ", length "
                    + length + ")");
        }
        int[] tokens = (flags & TOKENS) != 0 ? getIds(b, length, width) : null;
        float[] features = (flags & FEATURES) != 0 ? getFloats(b) : null;
        int[] stepLabels = (flags & STEP_LABELS) != 0 ? getIds(b, length, width) : null;
        if ((flags & NEXT_TOKENS) != 0) {
            if (tokens == null) {
                throw new IllegalArgumentException("an encoded example has next-token targets without tokens");
            }
            stepLabels = new int[length];
            System.arraycopy(tokens, 1, stepLabels, 0, length - 1);
            stepLabels[length - 1] = getIds(b, 1, width)[0];
        }
        float[] targets = (flags & TARGETS) != 0 ? getFloats(b) : null;
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("an encoded example has " + b.remaining() + " bytes after its end");
        }
        return new SequenceExample(length, features, tokens, label, stepLabels, targets);
    }

    /** Whether {@code targets[t] == tokens[t+1]} for every step but the last. */
    static boolean isNextToken(int[] tokens, int[] targets) {
        if (tokens == null || targets == null || tokens.length != targets.length) {
            return false;
        }
        for (int t = 0; t + 1 < tokens.length; t++) {
            if (targets[t] != tokens[t + 1]) {
                return false;
            }
        }
        return true;
    }

    static void putIds(ByteBuffer b, int[] ids, int width) {
        for (int id : ids) {
            switch (width) {
                case 1 -> b.put((byte) id);
                case 2 -> b.putShort((short) id);
                default -> b.putInt(id);
            }
        }
    }

    static int[] getIds(ByteBuffer b, int n, int width) {
        need(b, (long) n * width);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = switch (width) {
                case 1 -> b.get() & 0xff;
                case 2 -> b.getShort() & 0xffff;
                default -> b.getInt();
            };
        }
        return ids;
    }

    private static float[] getFloats(ByteBuffer b) {
        need(b, 4);
        int n = b.getInt();
        need(b, 4L * Math.max(0, n));
        float[] f = new float[n];
        b.asFloatBuffer().get(f);
        b.position(b.position() + 4 * f.length);
        return f;
    }

    private static void need(ByteBuffer b, long bytes) {
        if (bytes > b.remaining()) {
            throw new IllegalArgumentException("an encoded example ends " + (bytes - b.remaining()) + " bytes early");
        }
    }
}
