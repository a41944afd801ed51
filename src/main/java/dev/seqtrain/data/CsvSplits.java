package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The CSV formats read split by split. A record belongs to the split holding its first byte: a wide
 * row is one line; a long sequence is a run of consecutive rows with the same {@code sequence_id}
 * (its steps in any order), which the split where the run starts reads to its end, past the split's
 * end if need be, and which the next split skips. Every split reads its file's header line first.
 *
 * <p>Line numbers are exact with any number of splits: pass 1 ({@link #newlines}) counts each split's
 * newlines, and a split's reader starts counting from the sum over the splits before it.
 */
final class CsvSplits {
    private CsvSplits() {
    }

    /** How to read: format (csv-wide or csv-long), the wide format's id and label columns, limits. */
    record Options(String format, String idColumn, String labelColumn, int maxSeqLength, int maxLineBytes) implements Serializable {
        boolean wide() {
            return format.equals("csv-wide");
        }
    }

    /** One record of a split: a sequence and where it starts (its byte offset, its identity), or a refused record. */
    record Parsed(long place, RawSequence sequence, BadRecord bad) {
    }

    /** Pass 1: newlines in the split's bytes (0 for a file read whole: nothing comes before it). */
    static long newlines(FileSplit split, Configuration conf) throws IOException {
        if (split.whole() || split.length() == 0) {
            return 0;
        }
        try (SplitInput in = SplitInput.open(split, split.start(), conf)) {
            return in.countNewlines(split.end());
        }
    }

    /**
     * The split's records, lazily (a split is never held whole). A bad record comes back as such;
     * a bad header is an error for the whole file.
     */
    static Iterator<Parsed> read(FileSplit split, long newlinesBefore, Options o, Configuration conf) throws IOException {
        SplitLines lines = new SplitLines(split, newlinesBefore, o.maxLineBytes(), conf);
        Header h = header(split, o, conf, lines);
        return o.wide() ? new WideRows(split, lines, h) : new LongRuns(split, lines, h, o, conf);
    }

    /** A file's header and the offset where its data lines begin. */
    private record Header(WideCsvParser.Header wide, LongCsvReader.Columns columns, long dataStart) {
    }

    private static Header header(FileSplit split, Options o, Configuration conf, SplitLines own) throws IOException {
        boolean ownsHeader = split.first() || split.whole();
        SplitLines lines = ownsHeader ? own
                : new SplitLines(new FileSplit(split.fileIndex(), split.file(), 0, split.fileLength(), split.fileLength(), false,
                split.hosts()), 0, o.maxLineBytes(), conf);
        try {
            String line = nextHeaderLine(lines);
            if (o.wide()) {
                return new Header(WideCsvParser.header(line, split.file(), o.idColumn(), o.labelColumn(), o.maxSeqLength()), null,
                        lines.position());
            }
            while (line != null && line.isBlank()) {
                line = nextHeaderLine(lines);
            }
            if (line == null) {
                throw new BadInputException(split.file() + ": empty file (expected a header line 'sequence_id,step,x0,...')");
            }
            return new Header(null, LongCsvReader.columns(line, split.file(), lines.lineNumber()), lines.position());
        } finally {
            if (!ownsHeader) {
                lines.close();
            }
        }
    }

    /** A line before the data: one too long is no skippable record but a file that cannot be read. */
    private static String nextHeaderLine(SplitLines lines) throws IOException {
        try {
            return lines.nextPastEnd();
        } catch (BadRecordException e) {
            throw new BadInputException(e.getMessage() + "; it is the header line");
        }
    }

    /** Records produced ahead of the caller (a long run may give several bad rows at once). */
    private abstract static class Records implements Iterator<Parsed> {
        final ArrayDeque<Parsed> ready = new ArrayDeque<>();
        final SplitLines lines;
        boolean done;

        Records(SplitLines lines) {
            this.lines = lines;
        }

        /** Adds the next record(s) to {@code ready}; false at the end of the split. */
        abstract boolean produce() throws IOException;

        @Override
        public boolean hasNext() {
            try {
                while (ready.isEmpty() && !done) {
                    if (!produce()) {
                        done = true;
                        lines.close();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return !ready.isEmpty();
        }

        @Override
        public Parsed next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }
    }

    private static final class WideRows extends Records {
        final FileSplit split;
        final Header h;

        WideRows(FileSplit split, SplitLines lines, Header h) {
            super(lines);
            this.split = split;
            this.h = h;
        }

        @Override
        boolean produce() throws IOException {
            while (true) {
                String line;
                try {
                    line = lines.next();
                } catch (BadRecordException e) {
                    // Too long: the line is consumed, so it is one refused row like any other.
                    ready.add(new Parsed(lines.lineStart(), null, BadRecordException.recordOf(e)));
                    return true;
                }
                if (line == null) {
                    return false;
                }
                if (lines.lineStart() < h.dataStart() || line.isBlank()) {
                    continue;
                }
                long n = lines.lineNumber();
                try {
                    ready.add(new Parsed(lines.lineStart(), WideCsvParser.parseRow(line, split.file() + ":" + n, h.wide(), n), null));
                } catch (BadInputException e) {
                    ready.add(new Parsed(lines.lineStart(), null, BadRecordException.recordOf(e)));
                }
                return true;
            }
        }
    }

    private static final class LongRuns extends Records {
        final FileSplit split;
        final Header h;
        final Options o;
        /** The first line of the next run, already read; null = read the next owned line. */
        String pending;
        long pendingNumber;
        long pendingStart;
        boolean started;
        final Configuration conf;

        LongRuns(FileSplit split, SplitLines lines, Header h, Options o, Configuration conf) {
            super(lines);
            this.split = split;
            this.h = h;
            this.o = o;
            this.conf = conf;
        }

        /** The next non-blank data line inside the split, into {@code pending}; false at the split's end. */
        private boolean nextOwned() throws IOException {
            String line;
            while ((line = lines.next()) != null) {
                if (lines.lineStart() >= h.dataStart() && !line.isBlank()) {
                    pending = line;
                    pendingNumber = lines.lineNumber();
                    pendingStart = lines.lineStart();
                    return true;
                }
            }
            pending = null;
            return false;
        }

        @Override
        boolean produce() throws IOException {
            try {
                return produceRun();
            } catch (BadRecordException e) {
                if (!e.reason().equals(BadRecordException.LINE_TOO_LONG)) {
                    throw e;
                }
                // Its sequence id was never read, so no run can be cut around it: the file cannot be read.
                throw new BadInputException(e.getMessage() + "; csv-long cannot skip such a line");
            }
        }

        private boolean produceRun() throws IOException {
            if (!started) {
                started = true;
                if (!nextOwned()) {
                    return false;
                }
                // Rows continuing a run that began before the split are the previous split's.
                String before = split.first() || split.whole() ? null : previousRowId(pendingStart);
                while (before != null && pending != null && LongCsvReader.rowId(pending).equals(before)) {
                    if (!nextOwned()) {
                        return false;
                    }
                }
            } else if (pending == null) {
                return false;
            }
            if (pending == null) {
                return false;
            }
            String id = LongCsvReader.rowId(pending);
            long runStart = pendingStart;
            String at = split.file() + ":" + pendingNumber;
            if (id.isEmpty()) {
                ready.add(new Parsed(runStart, null, BadRecordException.recordOf(
                        new BadRecordException(BadRecordException.ID, at + ": empty sequence_id"))));
                nextOwned();
                return true;
            }
            LongCsvReader.Builder b = new LongCsvReader.Builder(id, h.columns().featureIdx().length, h.columns().targetIdx().length);
            boolean bad = false;
            String line = pending;
            long number = pendingNumber;
            while (true) {
                try {
                    LongCsvReader.addRow(CsvLine.split(line), number, split.file() + ":" + number, h.columns(), o.maxSeqLength(),
                            b);
                } catch (BadInputException e) {
                    bad = true;
                    ready.add(new Parsed(runStart, null, BadRecordException.recordOf(e)));
                }
                // The run goes on while the id does, past the split's end if need be.
                line = lines.nextPastEnd();
                while (line != null && line.isBlank()) {
                    line = lines.nextPastEnd();
                }
                if (line == null) {
                    pending = null;
                    break;
                }
                number = lines.lineNumber();
                if (!LongCsvReader.rowId(line).equals(id)) {
                    boolean owned = split.whole() || lines.lineStart() < split.end();
                    pending = owned ? line : null;
                    pendingNumber = number;
                    pendingStart = lines.lineStart();
                    break;
                }
            }
            if (!bad) {
                try {
                    LongCsvReader.Sequence q = b.build(split.file());
                    ready.add(new Parsed(runStart, new RawSequence(q.id(), q.length(), h.columns().featureIdx().length, q.features(),
                            q.targets(), h.columns().targetIdx().length, q.label()), null));
                } catch (BadRecordException e) {
                    // A missing step is most often a sequence whose rows are not together.
                    ready.add(new Parsed(runStart, null, BadRecordException.recordOf(e.reason().equals(BadRecordException.STEPS)
                            ? new BadRecordException(e.reason(), e.getMessage() + "; a sequence's rows must be consecutive") : e)));
                }
            }
            return true;
        }

        /** The id of the last data row before offset {@code lineStart}, or null when the header comes first. */
        private String previousRowId(long lineStart) throws IOException {
            long window = 4096;
            while (true) {
                if (window > 2L * o.maxLineBytes() + 4096) {
                    // That line is over the limit: the split it starts in refuses the file, this one need not look further.
                    return null;
                }
                long from = Math.max(h.dataStart(), lineStart - window);
                if (from >= lineStart) {
                    return null;
                }
                byte[] bytes = new byte[(int) (lineStart - from)];
                try (var in = HadoopFiles.openAt(split.file(), from, conf)) {
                    in.readFully(bytes);
                }
                int end = bytes.length - 1;   // bytes[end] is the '\n' that ends the previous line
                while (end >= 0) {
                    int startOfLine = end - 1;
                    while (startOfLine >= 0 && bytes[startOfLine] != '\n') {
                        startOfLine--;
                    }
                    if (startOfLine < 0 && from > h.dataStart()) {
                        break;   // the line starts before the window: look further back
                    }
                    String text = new String(bytes, startOfLine + 1, end - startOfLine - 1, StandardCharsets.UTF_8);
                    if (!text.isBlank()) {
                        return LongCsvReader.rowId(text);
                    }
                    end = startOfLine;
                }
                if (from == h.dataStart()) {
                    return null;
                }
                window *= 2;
            }
        }
    }
}
