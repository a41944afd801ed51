package dev.seqtrain.data;


/** Splitting and parsing one line of the numeric CSV files seqtrain reads (no quoting: ids and numbers only). */
public final class CsvLine {
    private CsvLine() {
    }

    public static String[] split(String line) {
        return line.split(",", -1);
    }

    /** A finite float, or an error naming the place and the column. */
    public static float parseFinite(String cell, String at, String column) {
        String s = cell.trim();
        float v;
        try {
            v = Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new BadRecordException(BadRecordException.NOT_A_NUMBER, at + ": column " + column + ": '" + LongCsvReader.abbreviate(s) + "' is not a number");
        }
        if (!Float.isFinite(v)) {
            throw new BadRecordException(BadRecordException.NOT_FINITE, at + ": column " + column + ": " + s + " is not a finite number");
        }
        return v;
    }

    /** A non-negative integer (step number, class id), or an error naming the place and the column. */
    public static int parseIndex(String cell, String at, String column) {
        String s = cell.trim();
        try {
            int v = Integer.parseInt(s);
            if (v < 0) {
                throw new BadRecordException(BadRecordException.NOT_A_NUMBER, at + ": column " + column + ": " + v + " is negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new BadRecordException(BadRecordException.NOT_A_NUMBER, at + ": column " + column + ": '" + LongCsvReader.abbreviate(s)
                    + "' is not a non-negative integer");
        }
    }
}
