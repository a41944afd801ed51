package dev.seqtrain.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

import java.util.ArrayList;
import java.util.List;

/**
 * A trained {@link SequenceTagger}. {@code prediction}: per step, 0/1 per label (probability ≥ 0.5)
 * for multilabel, the values for regress; {@code probability} (multilabel only): per step, each
 * label's probability.
 */
public final class SequenceTaggingModel extends SequenceModel<SequenceTaggingModel> {
    private final Param<String> tagging;
    private final Param<String> probabilityCol;

    /**
     * An empty model, for Spark Connect, which finds third-party stages by class name
     * ({@code META-INF/services/org.apache.spark.ml.Transformer}) and needs these two constructors;
     * it holds no network until {@link #load} gives it one.
     */
    public SequenceTaggingModel() {
        this(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("seqTaggingModel"));
    }

    public SequenceTaggingModel(String uid) {
        this(uid, null);
    }

    public SequenceTaggingModel(String uid, dev.seqtrain.io.Model engine) {
        super(uid, engine);
        tagging = SharedParams.tagging(this);
        probabilityCol = SharedParams.probabilityCol(this);
        setDefault(tagging, "multilabel");
        setDefault(probabilityCol, "probability");
    }

    public Param<String> tagging() {
        return tagging;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public SequenceTaggingModel setProbabilityCol(String v) {
        set(probabilityCol, v);
        return this;
    }

    private boolean multilabel() {
        return getOrDefault(tagging).equals("multilabel");
    }

    @Override
    protected List<StructField> outputFields() {
        var perStep = DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType, false), false);
        List<StructField> out = new ArrayList<>();
        if (multilabel()) {
            out.add(DataTypes.createStructField(getOrDefault(probabilityCol), perStep, false));
        }
        out.add(DataTypes.createStructField(getOrDefault(predictionCol()), perStep, false));
        return out;
    }

    @Override
    protected Object[] outputValues(float[][] raw, float[][] predicted) {
        // Nested arrays as double[][]: Spark's row encoder takes Java arrays, not nested java.util.Lists.
        double[][] prediction = new double[predicted.length][];
        double[][] probability = new double[predicted.length][];
        boolean multilabel = multilabel();
        for (int t = 0; t < predicted.length; t++) {
            prediction[t] = new double[predicted[t].length];
            probability[t] = new double[predicted[t].length];
            for (int j = 0; j < predicted[t].length; j++) {
                probability[t][j] = predicted[t][j];
                prediction[t][j] = !multilabel ? predicted[t][j] : predicted[t][j] >= 0.5f ? 1 : 0;
            }
        }
        return multilabel ? new Object[] {probability, prediction} : new Object[] {prediction};
    }

    /**
     * The task's metrics over every real step of {@code dataset}, computed by Spark SQL where the data
     * is (only the sums come to the driver). {@code labelCol} holds the targets as the tagger was
     * fitted on them, {@code array<array<number>>}, one vector per step. Multilabel: {@code nllPerStep}
     * (binary cross-entropy summed over the labels, mean over steps; probabilities clamped to
     * [1e-7, 1 − 1e-7]), {@code labelAccuracy} (labels right at the 0.5 threshold, over all steps ×
     * labels) and {@code stepAccuracy} (steps with every label right); regress: {@code rmse},
     * {@code mse} and {@code mae} over all steps × outputs. A row whose target has another number of
     * steps than its features is an error naming the column.
     */
    public java.util.Map<String, Double> evaluate(org.apache.spark.sql.Dataset<?> dataset, String labelCol) {
        InputColumns.require(uid(), dataset.schema(), "label column", labelCol);
        // Cached: the step-count check and the metrics read it, and the network should run once (as in the other models).
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> predicted = transform(dataset).cache();
        try {
            return metrics(predicted, labelCol);
        } finally {
            predicted.unpersist();
        }
    }

    private java.util.Map<String, Double> metrics(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> predicted, String labelCol) {
        String y = "`" + labelCol + "`";
        String out = "`" + (multilabel() ? getOrDefault(probabilityCol) : getOrDefault(predictionCol())) + "`";
        long mismatched = predicted.filter(org.apache.spark.sql.functions.expr("size(" + y + ") != size(" + out + ")")).count();
        if (mismatched > 0) {
            throw new IllegalArgumentException(uid() + ": label column '" + labelCol + "' has another number of steps than"
                    + " the features in " + mismatched + " rows");
        }
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> steps = predicted
                .selectExpr("explode(arrays_zip(" + y + ", " + out + ")) AS s")
                .selectExpr("transform(s['" + labelCol + "'], v -> cast(v AS double)) AS y", "s['" + out.replace("`", "") + "'] AS p");
        java.util.Map<String, Double> metrics = new java.util.LinkedHashMap<>();
        if (multilabel()) {
            org.apache.spark.sql.Row r = steps.selectExpr(
                    "aggregate(zip_with(y, p, (t, q) -> t * ln(least(greatest(q, 1e-7), 1 - 1e-7))"
                            + " + (1 - t) * ln(1 - least(greatest(q, 1e-7), 1 - 1e-7))), 0d, (a, v) -> a - v) AS nll",
                    "aggregate(zip_with(y, p, (t, q) -> IF((q >= 0.5) = (t >= 0.5), 1, 0)), 0, (a, v) -> a + v) AS right",
                    "size(y) AS labels")
                    .selectExpr("avg(nll)", "sum(right) / sum(labels)", "avg(IF(right = labels, 1d, 0d))").first();
            metrics.put("nllPerStep", r.getDouble(0));
            metrics.put("labelAccuracy", ((Number) r.get(1)).doubleValue());
            metrics.put("stepAccuracy", r.getDouble(2));
        } else {
            org.apache.spark.sql.Row r = steps.selectExpr(
                    "aggregate(zip_with(y, p, (t, q) -> (t - q) * (t - q)), 0d, (a, v) -> a + v) AS se",
                    "aggregate(zip_with(y, p, (t, q) -> abs(t - q)), 0d, (a, v) -> a + v) AS ae", "size(y) AS n")
                    .selectExpr("sum(se) / sum(n)", "sum(ae) / sum(n)").first();
            metrics.put("rmse", Math.sqrt(r.getDouble(0)));
            metrics.put("mse", r.getDouble(0));
            metrics.put("mae", r.getDouble(1));
        }
        return metrics;
    }

    @Override
    public SequenceTaggingModel copy(ParamMap extra) {
        return copyValues(new SequenceTaggingModel(uid(), engineModel()), extra).setParent(parent())
                .withSummary(summary());
    }

    public static MLReader<SequenceTaggingModel> read() {
        return new SequenceModelReader<>(SequenceTaggingModel.class, SequenceTaggingModel::new);
    }

    public static SequenceTaggingModel load(String path) {
        return read().load(path);
    }
}
