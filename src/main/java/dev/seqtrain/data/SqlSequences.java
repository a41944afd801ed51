package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.List;
import java.util.Set;

/**
 * Sequences from any Spark SQL source (Parquet, ORC, JSON): one row per sequence with a
 * {@code features} column, {@code array<array<number>>} (steps × features) or {@code array<number>}
 * (univariate), and either a label column (class name or number per sequence) or a {@code targets}
 * column, {@code array<array<number>>} per step or {@code array<number>} per sequence.
 *
 * <p>The schema is checked on the driver; rows are converted on the executors, and a bad row (null
 * array, ragged inner arrays, a non-finite value) becomes a {@link BadRecord} naming the path and the
 * row's position, so the driver can fail with it or, with {@code data.badRecords=skip}, count it.
 */
public final class SqlSequences {
    static final Set<String> FORMATS = Set.of("parquet", "orc", "json");
    private static final String FEATURES = "features";
    private static final String TARGETS = "targets";

    private SqlSequences() {
    }

    static JavaRDD<SparkDataset.Record> read(JavaSparkContext sc, String format, String path, String labelColumn,
                                            int maxSeqLength) {
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        Dataset<Row> df;
        try {
            df = spark.read().format(format).load(path);
        } catch (Exception e) {
            throw new BadInputException(path + ": cannot read as " + format + ": " + e.getMessage().split("\n")[0]);
        }
        boolean hasTargets = hasField(df.schema(), TARGETS);
        boolean hasLabel = hasField(df.schema(), labelColumn);
        if (!hasLabel && !hasTargets) {
            throw new BadInputException(path + ": neither a '" + labelColumn + "' nor a '" + TARGETS + "' column");
        }
        return fromTable(df, path, FEATURES, hasTargets ? TARGETS : null, hasLabel ? labelColumn : null, maxSeqLength);
    }

    /**
     * Sequences from a table's rows: {@code featuresCol} as above, optional per-step or per-sequence
     * {@code targetsCol} and per-sequence {@code labelCol} (either may be null). {@code source} names the
     * table in messages ("SOURCE: row N: ...").
     */
    static JavaRDD<SparkDataset.Record> fromTable(Dataset<Row> df, String source, String featuresCol, String targetsCol,
                                                 String labelCol, int maxSeqLength) {
        StructType schema = df.schema();
        int featureDepth = arrayDepth(schema, featuresCol, source);
        int targetDepth = targetsCol != null ? arrayDepth(schema, targetsCol, source) : 0;
        if (labelCol != null) {
            if (!hasField(schema, labelCol)) {
                throw new BadInputException(source + ": no '" + labelCol + "' column (columns: "
                        + String.join(", ", schema.fieldNames()) + ")");
            }
            DataType t = schema.apply(labelCol).dataType();
            if (!(t instanceof StringType) && !(t instanceof NumericType)) {
                throw new BadInputException(source + ": column '" + labelCol + "' has type " + t.simpleString()
                        + ", expected a string or a number");
            }
        }
        int fIdx = schema.fieldIndex(featuresCol);
        int tIdx = targetsCol != null ? schema.fieldIndex(targetsCol) : -1;
        int lIdx = labelCol != null ? schema.fieldIndex(labelCol) : -1;
        // A row's identity is its position in the table (zipWithIndex: stable for the same files and settings).
        return df.javaRDD().zipWithIndex().map(t -> {
            String where = source + ": row " + t._2();
            long key = HoldOut.recordKey(0, t._2());
            try {
                return new SparkDataset.Record(key, source, convert(t._1(), where, fIdx, featureDepth, featuresCol, tIdx,
                        targetDepth, targetsCol, lIdx, maxSeqLength), null);
            } catch (BadInputException e) {
                return new SparkDataset.Record(key, source, null, BadRecordException.recordOf(e));
            }
        });
    }

    private static boolean hasField(StructType schema, String name) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** 1 for {@code array<number>}, 2 for {@code array<array<number>>}; anything else is refused. */
    public static int arrayDepth(StructType schema, String column, String path) {
        if (!hasField(schema, column)) {
            throw new BadInputException(path + ": no '" + column + "' column (columns: " + String.join(", ", schema.fieldNames()) + ")");
        }
        DataType t = schema.apply(column).dataType();
        if (t instanceof ArrayType a) {
            if (a.elementType() instanceof NumericType) {
                return 1;
            }
            if (a.elementType() instanceof ArrayType inner && inner.elementType() instanceof NumericType) {
                return 2;
            }
        }
        throw new BadInputException(path + ": column '" + column + "' has type " + t.simpleString()
                + ", expected array<array<float>> or array<float>");
    }

    private static RawSequence convert(Row row, String where, int fIdx, int fDepth, String featuresCol, int tIdx, int tDepth,
                                       String targetsCol, int lIdx, int maxSeqLength) {
        float[][] features = matrix(row, fIdx, fDepth, where, featuresCol);
        int length = features.length;
        if (length == 0) {
            throw new BadRecordException(BadRecordException.EMPTY, where + ": zero-length sequence");
        }
        if (length > maxSeqLength) {
            throw new BadRecordException(BadRecordException.TOO_LONG, where + ": " + length + " steps, longer than data.maxSeqLength=" + maxSeqLength);
        }
        int width = features[0].length;
        float[] flat = flatten(features);
        float[] stepTargets = null;
        int targetWidth = 0;
        String label = null;
        if (tIdx >= 0) {
            float[][] targets = matrix(row, tIdx, tDepth, where, targetsCol);
            if (tDepth == 2) {
                if (targets.length != length) {
                    throw new BadRecordException(BadRecordException.SHAPE, where + ": " + targets.length + " target steps for " + length + " feature steps");
                }
                targetWidth = targets[0].length;
                stepTargets = flatten(targets);
            } else {
                // One vector per sequence: kept as the label text for regression of a single value.
                if (targets.length != 1 || targets[0].length != 1) {
                    throw new BadRecordException(BadRecordException.SHAPE, where + ": per-sequence targets must hold one value (use a label column)");
                }
                label = Float.toString(targets[0][0]);
            }
        }
        if (lIdx >= 0) {
            if (row.isNullAt(lIdx)) {
                throw new BadRecordException(BadRecordException.NULL, where + ": null label");
            }
            label = labelName(row.get(lIdx));
        }
        return new RawSequence(where, length, width, flat, stepTargets, targetWidth, label);
    }

    /**
     * A label's class name. 3.0 and 3 are the same class (Spark ML labels are doubles), so whole numbers
     * become integer names, which also sort numerically.
     */
    static String labelName(Object v) {
        if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
            return v.toString();
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e9 ? Long.toString((long) d) : v.toString();
        }
        return String.valueOf(v).trim();
    }

    /** Steps × values (rows of equal width, as {@link #matrix} makes them) in one step-major array. */
    public static float[] flatten(float[][] m) {
        int width = m.length == 0 ? 0 : m[0].length;
        float[] flat = new float[m.length * width];
        for (int t = 0; t < m.length; t++) {
            System.arraycopy(m[t], 0, flat, t * width, width);
        }
        return flat;
    }

    /** Steps × values; a univariate array becomes one value per step. */
    public static float[][] matrix(Row row, int idx, int depth, String where, String column) {
        if (row.isNullAt(idx)) {
            throw new BadRecordException(BadRecordException.NULL, where + ": column " + column + " is null");
        }
        List<Object> outer = row.getList(idx);
        float[][] out = new float[outer.size()][];
        for (int t = 0; t < out.length; t++) {
            Object step = outer.get(t);
            if (step == null) {
                throw new BadRecordException(BadRecordException.NULL, where + ": column " + column + " step " + t + " is null");
            }
            if (depth == 1) {
                out[t] = new float[] {finite(step, where, column, t)};
            } else {
                List<?> inner = step instanceof List<?> l ? l : scala.jdk.javaapi.CollectionConverters.asJava(
                        (scala.collection.Seq<?>) step);
                out[t] = new float[inner.size()];
                if (t > 0 && out[t].length != out[0].length) {
                    throw new BadRecordException(BadRecordException.RAGGED, where + ": column " + column + " is ragged: step " + t + " has "
                            + out[t].length + " values, step 0 has " + out[0].length);
                }
                for (int j = 0; j < out[t].length; j++) {
                    out[t][j] = finite(inner.get(j), where, column, t);
                }
            }
        }
        return out;
    }

    private static float finite(Object v, String where, String column, int step) {
        if (!(v instanceof Number n) || !Float.isFinite(n.floatValue())) {
            throw new BadRecordException(BadRecordException.NOT_FINITE, where + ": column " + column + " step " + step + ": " + v + " is not a finite number");
        }
        return n.floatValue();
    }
}
