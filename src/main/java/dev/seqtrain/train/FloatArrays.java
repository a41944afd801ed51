package dev.seqtrain.train;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Bulk writing of float arrays inside Java serialization. Spark serializes task results and
 * broadcasts with Java serialization, which writes a {@code float[]} one element at a time; these
 * helpers move it as one block of bytes, several times faster for the megabytes of parameters a
 * round ships.
 */
final class FloatArrays {
    private FloatArrays() {
    }

    static void write(ObjectOutputStream out, float[] a) throws IOException {
        if (a == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(a.length);
        ByteBuffer buf = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(a);
        out.write(buf.array());
    }

    static float[] read(ObjectInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] bytes = new byte[4 * n];
        in.readFully(bytes);
        float[] a = new float[n];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a);
        return a;
    }

    static void write(ObjectOutputStream out, float[][] a) throws IOException {
        out.writeInt(a == null ? -1 : a.length);
        if (a != null) {
            for (float[] x : a) {
                write(out, x);
            }
        }
    }

    static float[][] readMatrix(ObjectInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        float[][] a = new float[n][];
        for (int i = 0; i < n; i++) {
            a[i] = read(in);
        }
        return a;
    }
}
