package dev.seqtrain.data;

import org.apache.hadoop.conf.Configuration;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * The bytes of a file from a given offset, buffered, with the absolute position of the next byte. A
 * split's reader starts here at (or just before) its first byte and may read past its end, to finish
 * the record it started.
 */
final class SplitInput implements Closeable {
    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int pos;
    private int limit;
    private long offset;

    private SplitInput(InputStream in, long offset) {
        this.in = in;
        this.offset = offset;
    }

    /** The file from byte {@code offset} (0 for a compressed file, which is decompressed). */
    static SplitInput open(FileSplit split, long offset, Configuration conf) throws IOException {
        if (split.whole()) {
            return new SplitInput(HadoopFiles.open(split.file(), conf), 0);
        }
        return new SplitInput(HadoopFiles.openAt(split.file(), offset, conf), offset);
    }

    /** The next byte (0..255), or -1 at the end of the file. */
    int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        offset++;
        return buffer[pos++] & 0xff;
    }

    /** The next byte without consuming it, or -1. */
    int peek() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buffer[pos] & 0xff;
    }

    /** Absolute offset of the next byte. */
    long position() {
        return offset;
    }

    /** Counts '\n' bytes up to (not including) absolute offset {@code end}, or to the end of the file. */
    long countNewlines(long end) throws IOException {
        long n = 0;
        while (offset < end) {
            if (pos == limit && !fill()) {
                break;
            }
            int stop = (int) Math.min(limit, pos + (end - offset));
            for (int i = pos; i < stop; i++) {
                if (buffer[i] == '\n') {
                    n++;
                }
            }
            offset += stop - pos;
            pos = stop;
        }
        return n;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        while (n == 0) {
            n = in.read(buffer, 0, buffer.length);
        }
        if (n < 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
