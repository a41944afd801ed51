package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of the long CSV format, one step per row: {@code sequence_id,step,x0,…,x{I-1}[,y0,…|,label]}.
 * Columns starting with {@code x} are features, with {@code y} per-step targets, {@code label} one class
 * per sequence. A sequence's rows are consecutive (the split reader, {@link CsvSplits}, cuts runs of
 * one id), its steps in any order but exactly {@code 0..T-1}, each once.
 *
 * <p>Every problem is reported with the file, the line and what is wrong.
 */
public final class LongCsvReader {

    /** One sequence as read: {@code features} is {@code [T][I]} step-major, {@code targets} {@code [T][Y]}. */
    public record Sequence(String id, int length, float[] features, float[] targets, String label, long firstLine) {
    }

    private LongCsvReader() {
    }

    /** The column layout of a header line: feature, target and label columns. */
    record Columns(String[] header, int[] featureIdx, int[] targetIdx, int labelColumn, List<String> features,
                   List<String> targets) implements java.io.Serializable {
    }

    /** A header with a label column and no step column: the csv-wide layout given to a csv-long reader. */
    private static boolean looksWide(String[] header) {
        boolean label = false;
        for (String h : header) {
            if (h.trim().equals("step")) {
                return false;
            }
            label |= h.trim().equals("label");
        }
        return label;
    }

    /** Parses the header line ({@code lineNo} names it in errors). */
    static Columns columns(String headerLine, String source, long lineNo) {
        String[] header = CsvLine.split(stripBom(headerLine));
        if (header.length < 3 || !header[0].trim().equals("sequence_id") || !header[1].trim().equals("step")) {
            throw new BadInputException(source + ":" + lineNo + ": header must start with 'sequence_id,step' and name at least one"
                    + " feature column, got '" + abbreviate(headerLine) + "'" + (looksWide(header)
                    ? " (one sequence per line, as csv-wide? then say so: data.format=csv-wide, or evaluate --format csv-wide)" : ""));
        }
        List<String> features = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        int labelColumn = -1;
        Map<String, Integer> seen = new LinkedHashMap<>();
        List<Integer> fi = new ArrayList<>();
        List<Integer> ti = new ArrayList<>();
        for (int c = 0; c < header.length; c++) {
            String name = header[c].trim();
            Integer before = seen.put(name, c);
            if (before != null) {
                throw new BadInputException(source + ":" + lineNo + ": column '" + name + "' appears twice (columns "
                        + (before + 1) + " and " + (c + 1) + ")");
            }
            if (c < 2) {
                continue;
            }
            if (name.equals("label")) {
                labelColumn = c;
            } else if (name.startsWith("x")) {
                features.add(name);
                fi.add(c);
            } else if (name.startsWith("y")) {
                targets.add(name);
                ti.add(c);
            } else {
                throw new BadInputException(source + ":" + lineNo + ": column '" + name
                        + "' is neither a feature (x...), a target (y...) nor 'label'");
            }
        }
        if (features.isEmpty()) {
            throw new BadInputException(source + ":" + lineNo + ": no feature columns (names starting with 'x')");
        }
        if (labelColumn >= 0 && !targets.isEmpty()) {
            throw new BadInputException(source + ":" + lineNo + ": both a 'label' column and y... target columns; use one");
        }
        return new Columns(header, fi.stream().mapToInt(Integer::intValue).toArray(), ti.stream().mapToInt(Integer::intValue).toArray(),
                labelColumn, features, targets);

    }

    /** The sequence id of a data row (its first cell). */
    static String rowId(String line) {
        int comma = line.indexOf(',');
        return (comma < 0 ? line : line.substring(0, comma)).trim();
    }

    /**
     * Parses one data row into the builder of the run it belongs to: column count, id, step and its
     * bound, then the values.
     */
    static void addRow(String[] cells, long lineNo, String at, Columns c, int maxSeqLength, Builder builder) {
        if (cells.length != c.header().length) {
            throw new BadRecordException(BadRecordException.COLUMN_COUNT, at + ": " + cells.length + " columns, the header has "
                    + c.header().length);
        }
        String id = cells[0].trim();
        if (id.isEmpty()) {
            throw new BadRecordException(BadRecordException.ID, at + ": empty sequence_id");
        }
        int step = CsvLine.parseIndex(cells[1], at, "step");
        if (maxSeqLength > 0 && step >= maxSeqLength) {
            throw new BadRecordException(BadRecordException.TOO_LONG, at + ": sequence '" + id + "' has step " + step
                    + ", longer than data.maxSeqLength=" + maxSeqLength);
        }
        builder.add(step, lineNo, cells, c.featureIdx(), c.targetIdx(), c.labelColumn(), c.header(), at);
    }

    static final class Builder {
        final String id;
        final int nf;
        final int nt;
        final Map<Integer, float[]> rows = new java.util.HashMap<>();
        final Map<Integer, Long> lines = new java.util.HashMap<>();
        String label;
        long labelLine;
        int maxStep = -1;
        long firstLine = -1;

        Builder(String id, int nf, int nt) {
            this.id = id;
            this.nf = nf;
            this.nt = nt;
        }

        void add(int step, long lineNo, String[] cells, int[] fIdx, int[] tIdx, int labelColumn, String[] header, String at) {
            Long previous = lines.put(step, lineNo);
            if (previous != null) {
                throw new BadRecordException(BadRecordException.STEPS, at + ": sequence '" + id + "' repeats step " + step + " (first at line " + previous + ")");
            }
            if (firstLine < 0) {
                firstLine = lineNo;
            }
            float[] row = new float[nf + nt];
            for (int k = 0; k < nf; k++) {
                row[k] = CsvLine.parseFinite(cells[fIdx[k]], at, header[fIdx[k]].trim());
            }
            for (int k = 0; k < nt; k++) {
                row[nf + k] = CsvLine.parseFinite(cells[tIdx[k]], at, header[tIdx[k]].trim());
            }
            if (labelColumn >= 0) {
                String l = cells[labelColumn].trim();
                if (l.isEmpty()) {
                    throw new BadRecordException(BadRecordException.LABEL, at + ": empty label");
                }
                if (label == null) {
                    label = l;
                    labelLine = lineNo;
                } else if (!label.equals(l)) {
                    throw new BadRecordException(BadRecordException.LABEL, at + ": sequence '" + id + "' has label '" + l + "' but line " + labelLine
                            + " gave it '" + label + "'");
                }
            }
            rows.put(step, row);
            maxStep = Math.max(maxStep, step);
        }

        Sequence build(String source) {
            int length = maxStep + 1;
            if (rows.size() != length) {
                for (int s = 0; s < length; s++) {
                    if (!rows.containsKey(s)) {
                        throw new BadRecordException(BadRecordException.STEPS, source + ":" + firstLine + ": sequence '" + id + "' has no step " + s
                                + " (steps must be 0.." + (length - 1) + ", each once)");
                    }
                }
            }
            float[] f = new float[length * nf];
            float[] t = nt > 0 ? new float[length * nt] : null;
            for (int s = 0; s < length; s++) {
                float[] row = rows.get(s);
                System.arraycopy(row, 0, f, s * nf, nf);
                if (t != null) {
                    System.arraycopy(row, nf, t, s * nt, nt);
                }
            }
            return new Sequence(id, length, f, t, label, firstLine);
        }
    }

    static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
