package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * The sequences of a CSV path (a file, a directory or a glob) read in order on this JVM, one at a
 * time, by the rules a training split reads them with: the same formats, line numbers, limits and
 * errors, each file read whole as one split. The driver-side commands (predict, evaluate) hold a
 * batch of sequences, never a file. The first bad record is an error, or is handed to a callback
 * that skips it.
 */
public final class FileSequences implements Iterator<RawSequence> {
    private final List<String> files;
    private final CsvSplits.Options options;
    private final Configuration conf;
    private final Consumer<BadRecord> skipped;
    private int nextFile;
    private Iterator<CsvSplits.Parsed> current = Collections.emptyIterator();
    private RawSequence next;

    private FileSequences(List<String> files, CsvSplits.Options options, Configuration conf, Consumer<BadRecord> skipped) {
        this.files = files;
        this.options = options;
        this.conf = conf;
        this.skipped = skipped;
    }

    /** csv-wide (id column {@code id}, label column {@code labelColumn}) or csv-long; the first bad record is an error. */
    public static FileSequences open(String paths, String format, String labelColumn, int maxLineBytes, Configuration conf)
            throws IOException {
        return open(paths, format, labelColumn, maxLineBytes, conf, null);
    }

    /** As {@link #open(String, String, String, int, Configuration)}, bad records going to {@code skipped} unless it is null. */
    public static FileSequences open(String paths, String format, String labelColumn, int maxLineBytes, Configuration conf,
                                     Consumer<BadRecord> skipped) throws IOException {
        if (!format.equals("csv-wide") && !format.equals("csv-long")) {
            throw new BadInputException("format " + format + ": expected csv-wide or csv-long");
        }
        return new FileSequences(HadoopFiles.resolve(paths, conf),
                new CsvSplits.Options(format, "id", labelColumn, Integer.MAX_VALUE, maxLineBytes), conf, skipped);
    }

    @Override
    public boolean hasNext() {
        try {
            while (next == null) {
                if (current.hasNext()) {
                    CsvSplits.Parsed p = current.next();
                    if (p.bad() == null) {
                        next = p.sequence();
                    } else if (skipped != null) {
                        skipped.accept(p.bad());
                    } else {
                        throw new BadInputException(p.bad().message());
                    }
                } else if (nextFile < files.size()) {
                    current = CsvSplits.read(FileSplit.wholeFile(nextFile, files.get(nextFile), conf), 0, options, conf);
                    nextFile++;
                } else {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public RawSequence next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        RawSequence r = next;
        next = null;
        return r;
    }
}
