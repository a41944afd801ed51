package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;

import java.io.IOException;

/**
 * Code points decoded from a byte stream by the strict rules of UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF): an invalid byte is an error naming the file and its offset.
 * Also drops the byte-order mark at the very start of a file and the '\r' of every "\r\n", so a
 * corpus saved on Windows has the same characters as on Linux.
 */
final class Utf8Chars {
    static final int END = -1;
    private final SplitInput in;
    private final String file;
    private long charStart;

    Utf8Chars(SplitInput in, String file) {
        this.in = in;
        this.file = file;
    }

    /** Skips a byte-order mark if the next bytes are one (call at offset 0 only). */
    void skipByteOrderMark() throws IOException {
        if (in.peek() == 0xEF) {
            long at = in.position();
            int cp = next();
            if (cp != 0xFEFF) {
                throw new IllegalStateException("skipByteOrderMark at " + at + " decoded U+" + Integer.toHexString(cp)
                        + "; only call it where a BOM may be");
            }
        }
    }

    /**
     * Moves to the first character that starts at or after offset {@code splitStart}, the input being
     * positioned up to three bytes before it: the continuation bytes of a character that began before
     * the split are skipped (they are the previous split's), any other continuation byte is invalid.
     */
    void alignTo(long splitStart) throws IOException {
        int lead = -1;
        long leadAt = -1;
        int previous = -1;
        while (in.position() < splitStart) {
            long at = in.position();
            int b = in.read();
            previous = b;
            if (!isContinuation(b)) {
                lead = b;
                leadAt = at;
            }
        }
        if (lead >= 0) {
            long charEnd = leadAt + (lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1);
            while (in.position() < charEnd && isContinuation(in.peek())) {
                in.read();
            }
        }
        if (isContinuation(in.peek())) {
            throw invalid(in.position());
        }
        if (previous == '\r' && in.peek() == '\n') {
            in.read();   // the '\n' of a "\r\n" whose '\r' ended the previous split: one character, the previous split's
        }
    }

    /** Offset of the first byte of the character {@link #next} returned last. */
    long charStart() {
        return charStart;
    }

    /** Offset of the next byte. */
    long position() {
        return in.position();
    }

    /** The next code point, with "\r\n" read as '\n'; or {@link #END}. */
    int nextNormalized() throws IOException {
        int cp = next();
        if (cp == '\r' && in.peek() == '\n') {
            long start = charStart;
            cp = next();
            charStart = start;
        }
        return cp;
    }

    /** The next code point, or {@link #END}. */
    int next() throws IOException {
        charStart = in.position();
        int b = in.read();
        if (b < 0x80) {
            return b;   // ASCII, or END (-1)
        }
        int extra;
        int cp;
        int min;
        if (b >= 0xC2 && b <= 0xDF) {
            extra = 1;
            cp = b & 0x1F;
            min = 0x80;
        } else if (b >= 0xE0 && b <= 0xEF) {
            extra = 2;
            cp = b & 0x0F;
            min = 0x800;
        } else if (b >= 0xF0 && b <= 0xF4) {
            extra = 3;
            cp = b & 0x07;
            min = 0x10000;
        } else {
            throw invalid(charStart);
        }
        for (int i = 0; i < extra; i++) {
            int c = in.peek();
            if (!isContinuation(c)) {
                throw invalid(charStart);
            }
            in.read();
            cp = (cp << 6) | (c & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw invalid(charStart);
        }
        return cp;
    }

    private static boolean isContinuation(int b) {
        return b >= 0x80 && b <= 0xBF;
    }

    private BadInputException invalid(long offset) {
        return new BadInputException(file + ": invalid UTF-8 at byte offset " + offset);
    }
}
