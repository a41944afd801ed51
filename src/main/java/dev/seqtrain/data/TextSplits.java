package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A character corpus read split by split. Pass 1 counts each split's characters and collects the ones
 * it uses; from those counts alone the driver knows every file's length and which training windows
 * start in which split (windows of {@code T+1} characters every {@code stride}, never across files).
 * Pass 2 emits a split's windows, reading past the split's end to finish the last one.
 *
 * <p>A character belongs to the split holding its first byte; "\r\n" is one character '\n' (it belongs
 * where its '\r' is) and a file's byte-order mark is no character.
 */
final class TextSplits {
    private TextSplits() {
    }

    /** Pass 1 of one split: its characters, the distinct code points, or the first decoding error. */
    record Summary(long chars, int[] codePoints, String error) implements Serializable {
    }

    /** Where a split's windows are: its first character's offset in the file and the file's length, in characters. */
    record Place(long firstChar, long endChar, long fileChars) implements Serializable {
        /** First window index k (start = k·stride) owned by this split. */
        long firstWindow(int stride) {
            return (firstChar + stride - 1) / stride;
        }

        /** One past the last window index owned by this split. */
        long endWindow(int stride, int length) {
            long lastStartInFile = fileChars - length - 1;   // a window needs length+1 characters
            if (lastStartInFile < 0) {
                return firstWindow(stride);
            }
            long endByFile = lastStartInFile / stride + 1;
            long endBySplit = (endChar + stride - 1) / stride;
            return Math.max(firstWindow(stride), Math.min(endByFile, endBySplit));
        }
    }

    static Summary summarize(FileSplit split, Configuration conf) throws IOException {
        BitSet seen = new BitSet();
        long count = 0;
        try (SplitInput in = open(split, conf)) {
            Utf8Chars chars = start(in, split);
            int cp;
            while (owned(chars, split) && (cp = chars.nextNormalized()) != Utf8Chars.END) {
                seen.set(cp);
                count++;
            }
        } catch (BadInputException e) {
            return new Summary(0, new int[0], e.getMessage());
        }
        return new Summary(count, seen.stream().toArray(), null);
    }

    /**
     * Pass 2 of one split: its windows in order, each tagged with its window index in the file, as
     * lazily as they are read (the split is never held whole).
     */
    static Iterator<Window> windows(FileSplit split, Place place, int[] vocabulary, int length, int stride,
                                    Configuration conf) throws IOException {
        long first = place.firstWindow(stride);
        long end = place.endWindow(stride, length);
        if (first >= end) {
            return java.util.Collections.emptyIterator();
        }
        SplitInput in = open(split, conf);
        Utf8Chars chars = start(in, split);
        return new Iterator<>() {
            final int[] ring = new int[length + 1];
            long position = place.firstChar();   // file offset, in characters, of the next character read
            int slot = (int) (position % ring.length);   // where that character goes in the ring
            long next = first;

            @Override
            public boolean hasNext() {
                return next < end;
            }

            @Override
            public Window next() {
                if (next >= end) {
                    throw new NoSuchElementException();
                }
                long startChar = next * stride;
                try {
                    while (position < startChar + length + 1) {
                        int cp = chars.nextNormalized();
                        if (cp == Utf8Chars.END) {
                            throw new IllegalStateException(split.file() + " ended at character " + position
                                    + ", before the " + place.fileChars() + " that pass 1 counted: the file changed while it was read");
                        }
                        int id = cp < vocabulary.length ? vocabulary[cp] : -1;
                        if (id < 0) {
                            throw new IllegalStateException(split.file() + ": character U+" + Integer.toHexString(cp)
                                    + " was not seen by pass 1: the file changed while it was read");
                        }
                        ring[slot] = id;
                        slot = slot + 1 == ring.length ? 0 : slot + 1;
                        position++;
                    }
                    int[] x = new int[length];
                    int[] y = new int[length];
                    // The window is the ring's last length+1 characters, oldest first: it starts at the slot
                    // the next character would overwrite.
                    int at = slot;
                    for (int t = 0; t < length; t++) {
                        x[t] = ring[at];
                        at = at + 1 == ring.length ? 0 : at + 1;
                        y[t] = ring[at];
                    }
                    Window w = new Window(next, new SequenceExample(length, null, x, SequenceExample.NO_LABEL, y, null));
                    next++;
                    if (next >= end) {
                        in.close();
                    }
                    return w;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(split.file(), e);
                }
            }
        };
    }

    /** A training window and its index in its file (window k starts at character k·stride). */
    record Window(long index, SequenceExample example) {
    }

    private static SplitInput open(FileSplit split, Configuration conf) throws IOException {
        return SplitInput.open(split, split.first() || split.whole() ? 0 : Math.max(0, split.start() - 3), conf);
    }

    private static Utf8Chars start(SplitInput in, FileSplit split) throws IOException {
        Utf8Chars chars = new Utf8Chars(in, split.file());
        if (split.first() || split.whole()) {
            chars.skipByteOrderMark();
        } else {
            chars.alignTo(split.start());
        }
        return chars;
    }

    /** Whether the next character starts inside the split (a compressed file's one split owns everything). */
    private static boolean owned(Utf8Chars chars, FileSplit split) {
        return split.whole() || chars.position() < split.end();
    }

    /** Token id by code point (-1: not in the vocabulary), an array because it is looked up for every character. */
    static int[] idsByCodePoint(List<Integer> codePoints) {
        int[] ids = new int[codePoints.get(codePoints.size() - 1) + 1];
        java.util.Arrays.fill(ids, -1);
        for (int i = 0; i < codePoints.size(); i++) {
            ids[codePoints.get(i)] = i;
        }
        return ids;
    }

    /** Distinct code points of all splits, in code point order. */
    static List<Integer> union(List<Summary> summaries) {
        BitSet all = new BitSet();
        for (Summary s : summaries) {
            for (int cp : s.codePoints()) {
                all.set(cp);
            }
        }
        List<Integer> out = new ArrayList<>();
        all.stream().forEach(out::add);
        return out;
    }
}
