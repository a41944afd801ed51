package dev.seqtrain.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The wide CSV format, one univariate sequence per row: {@code id,label,v0,…,v{T-1}} (column names free;
 * the id and label columns are found by name, every other column is a value in order). Rows may have
 * different lengths only by leaving trailing values empty.
 */
public final class WideCsvParser {
    private WideCsvParser() {
    }

    /** The column layout a header line gives. */
    record Header(int columns, int idIdx, int labelIdx, int[] valueIdx, String[] valueNames) implements java.io.Serializable {
    }

    /** The layout of the header line (line 1); a missing label column or no value columns is an error. */
    static Header header(String headerLine, String source, String idColumn, String labelColumn, int maxSeqLength) {
        if (headerLine == null || headerLine.isBlank()) {
            throw new dev.seqtrain.io.BadInputException(source + ": empty file (expected a header line with '"
                    + labelColumn + "' and value columns)");
        }
        String[] header = CsvLine.split(LongCsvReader.stripBom(headerLine));
        int idIdx = -1;
        int labelIdx = -1;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int c = 0; c < header.length; c++) {
            String name = header[c].trim();
            if (!seen.add(name)) {
                throw new dev.seqtrain.io.BadInputException(source + ":1: column '" + name + "' appears twice");
            }
            if (name.equals(idColumn)) {
                idIdx = c;
            } else if (name.equals(labelColumn)) {
                labelIdx = c;
            }
        }
        if (labelIdx < 0) {
            throw new dev.seqtrain.io.BadInputException(source + ":1: no label column '" + labelColumn
                    + "' in the header (set data.labelColumn)");
        }
        int[] valueIdx = new int[header.length - 1 - (idIdx >= 0 ? 1 : 0)];
        int v = 0;
        for (int c = 0; c < header.length; c++) {
            if (c != idIdx && c != labelIdx) {
                valueIdx[v++] = c;
            }
        }
        if (valueIdx.length == 0) {
            throw new dev.seqtrain.io.BadInputException(source + ":1: no value columns besides id and label");
        }
        if (valueIdx.length > maxSeqLength) {
            throw new dev.seqtrain.io.BadInputException(source + ":1: " + valueIdx.length
                    + " value columns, longer than data.maxSeqLength=" + maxSeqLength);
        }
        String[] valueNames = new String[valueIdx.length];
        for (int t = 0; t < valueIdx.length; t++) {
            valueNames[t] = header[valueIdx[t]].trim();
        }
        return new Header(header.length, idIdx, labelIdx, valueIdx, valueNames);
    }

    static RawSequence parseRow(String line, String at, Header h, long lineNo) {
        int columns = h.columns();
        int idIdx = h.idIdx();
        int labelIdx = h.labelIdx();
        int[] valueIdx = h.valueIdx();
        String[] cells = CsvLine.split(line);
        if (cells.length != columns) {
            throw new BadRecordException(BadRecordException.COLUMN_COUNT, at + ": " + cells.length + " columns, the header has " + columns);
        }
        String label = cells[labelIdx].trim();
        if (label.isEmpty()) {
            throw new BadRecordException(BadRecordException.LABEL, at + ": empty label");
        }
        int length = valueIdx.length;
        while (length > 0 && cells[valueIdx[length - 1]].isBlank()) {
            length--;   // trailing empty cells: a shorter sequence
        }
        if (length == 0) {
            throw new BadRecordException(BadRecordException.EMPTY, at + ": zero-length sequence (no values)");
        }
        float[] f = new float[length];
        for (int t = 0; t < length; t++) {
            f[t] = CsvLine.parseFinite(cells[valueIdx[t]], at, "'" + h.valueNames()[t] + "' (step " + t + ")");
        }
        String id = idIdx >= 0 ? cells[idIdx].trim() : "line" + lineNo;
        return new RawSequence(id, length, 1, f, null, 0, label);
    }
}
