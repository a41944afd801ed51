package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import org.apache.hadoop.conf.Configuration;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The lines of one split, the way Hadoop's line reader cuts them: a line belongs to the split that
 * holds its first byte, so the reader skips the partial line it starts in and reads past its end to
 * finish its last line. Each line is strict UTF-8 (an invalid byte is an error naming the file, line
 * and byte offset), without its '\n' or a trailing '\r'; the file's byte-order mark is dropped.
 *
 * <p>Line numbers are exact whatever the split: the caller gives the number of newlines in the file
 * before the split's first byte (counted by a cheap first pass over the earlier splits).
 *
 * <p>A line longer than {@code maxLineBytes} is never buffered: the reader skips to its end and refuses
 * it, so a file without newlines (a wrong format, a binary file) costs a bounded heap and a one-line error.
 */
final class SplitLines implements Closeable {
    private final FileSplit split;
    private final SplitInput in;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final int maxLineBytes;
    private byte[] line = new byte[256];
    private long nextLineNumber;
    private long lineNumber;
    private long lineStart;
    private boolean firstLine;

    SplitLines(FileSplit split, long newlinesBefore, int maxLineBytes, Configuration conf) throws IOException {
        this.split = split;
        this.maxLineBytes = maxLineBytes;
        this.nextLineNumber = 1 + newlinesBefore;
        if (split.first() || split.whole()) {
            in = SplitInput.open(split, 0, conf);
            firstLine = true;
        } else {
            in = SplitInput.open(split, split.start() - 1, conf);
            int b = in.read();
            if (b != '\n') {
                // Inside a line that started before the split: it is the previous split's.
                while (b != '\n' && b != -1) {
                    b = in.read();
                }
                nextLineNumber++;
            }
        }
    }

    /** The next line of the split, or null when the next line starts beyond the split. */
    String next() throws IOException {
        if (!split.whole() && in.position() >= split.end()) {
            return null;
        }
        return nextPastEnd();
    }

    /**
     * The next line of the file, even one beyond the split (to finish a record that began inside it);
     * null at the end. A line over the limit is consumed and refused with {@link BadRecordException#LINE_TOO_LONG}.
     */
    String nextPastEnd() throws IOException {
        long start = in.position();
        int n = 0;
        int b = in.read();
        if (b == -1) {
            return null;
        }
        while (b != -1 && b != '\n') {
            if (n == maxLineBytes) {
                throw tooLong(start);
            }
            if (n == line.length) {
                line = Arrays.copyOf(line, (int) Math.min(2L * n, maxLineBytes));
            }
            line[n++] = (byte) b;
            b = in.read();
        }
        if (n > 0 && line[n - 1] == '\r') {
            n--;
        }
        int from = 0;
        if (firstLine && n >= 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB && (line[2] & 0xff) == 0xBF) {
            from = 3;
        }
        firstLine = false;
        lineNumber = nextLineNumber++;
        lineStart = start;
        ByteBuffer bytes = ByteBuffer.wrap(line, from, n - from);
        CharBuffer chars = CharBuffer.allocate(n - from);
        utf8.reset();
        CoderResult r = utf8.decode(bytes, chars, true);
        if (r.isError()) {
            throw new BadInputException(split.file() + ":" + lineNumber + ": invalid UTF-8 at byte offset "
                    + (start + bytes.position()));
        }
        return chars.flip().toString();
    }

    /** Skips the rest of an over-long line (the reader is past its first maxLineBytes bytes) and describes it. */
    private BadRecordException tooLong(long start) throws IOException {
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            // not kept: the line is refused whatever its content
        }
        long bytes = in.position() - start - (b == '\n' ? 1 : 0);
        firstLine = false;
        lineNumber = nextLineNumber++;
        lineStart = start;
        return new BadRecordException(BadRecordException.LINE_TOO_LONG, split.file() + ":" + lineNumber + ": a line of " + bytes
                + " bytes, longer than data.maxLineBytes=" + maxLineBytes + " (a file that is not this CSV format, or no"
                + " newlines?)");
    }

    /** Offset of the next line's first byte. */
    long position() {
        return in.position();
    }

    /** Line number (1-based) of the line {@link #next} returned last. */
    long lineNumber() {
        return lineNumber;
    }

    /** Byte offset of that line's first byte: a record's identity that no split layout changes. */
    long lineStart() {
        return lineStart;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
