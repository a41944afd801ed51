package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Back-to-back windows over a text path (a file, a directory or a glob) read in order on this JVM:
 * {@code T+1} characters every {@code T}, each step's target the next character, never across files.
 * The characters are the ones training reads (strict UTF-8, "\r\n" as '\n', no byte-order mark) and
 * become a model's token ids; one window is held at a time, never a file.
 */
public final class TextFileWindows implements Iterator<SequenceExample> {
    private final List<String> files;
    private final Map<Integer, Integer> ids = new HashMap<>();
    private final int unknownId;
    private final int length;
    private final Configuration conf;
    private int nextFile;
    private SplitInput in;
    private Utf8Chars chars;
    private long position;   // characters read from the current file
    private int carried = -1;   // the current file's last character read: the next window's first
    private SequenceExample next;

    /**
     * @param vocabulary   the model's characters, index = token id
     * @param unknownToken the character unseen ones map to, or null when they are an error
     */
    public TextFileWindows(String paths, List<String> vocabulary, String unknownToken, int length, Configuration conf)
            throws IOException {
        this.files = HadoopFiles.resolve(paths, conf);
        for (int i = 0; i < vocabulary.size(); i++) {
            ids.put(vocabulary.get(i).codePointAt(0), i);
        }
        this.unknownId = unknownToken == null ? -1 : vocabulary.indexOf(unknownToken);
        this.length = length;
        this.conf = conf;
    }

    @Override
    public boolean hasNext() {
        try {
            while (next == null) {
                if (chars == null) {
                    if (nextFile == files.size()) {
                        return false;
                    }
                    openNextFile();
                }
                next = window();
                if (next == null) {
                    in.close();
                    chars = null;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public SequenceExample next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        SequenceExample e = next;
        next = null;
        return e;
    }

    private void openNextFile() throws IOException {
        String f = files.get(nextFile);
        in = SplitInput.open(FileSplit.wholeFile(nextFile, f, conf), 0, conf);
        chars = new Utf8Chars(in, f);
        chars.skipByteOrderMark();
        nextFile++;
        position = 0;
        carried = -1;
    }

    /** The next window of the current file, or null when fewer characters than a window are left. */
    private SequenceExample window() throws IOException {
        int[] x = new int[length];
        int[] y = new int[length];
        int t = 0;
        if (carried < 0) {
            carried = nextId();
            if (carried < 0) {
                return null;
            }
        }
        x[0] = carried;
        while (t < length) {
            int id = nextId();
            if (id < 0) {
                return null;
            }
            y[t] = id;
            if (t + 1 < length) {
                x[t + 1] = id;
            }
            t++;
        }
        carried = y[length - 1];
        return new SequenceExample(length, null, x, SequenceExample.NO_LABEL, y, null);
    }

    /** The token id of the next character, or -1 at the end of the file. */
    private int nextId() throws IOException {
        int cp = chars.nextNormalized();
        if (cp == Utf8Chars.END) {
            return -1;
        }
        Integer id = ids.get(cp);
        if (id == null && unknownId >= 0) {
            id = unknownId;
        }
        if (id == null) {
            throw new BadInputException(files.get(nextFile - 1) + ": character " + TextCorpus.describe(cp) + " at position "
                    + position + " (byte offset " + chars.charStart() + ") is not in the model's vocabulary (train with"
                    + " data.unknownChar to map such characters to one symbol)");
        }
        position++;
        return id;
    }
}
