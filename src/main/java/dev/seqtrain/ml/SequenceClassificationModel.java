package dev.seqtrain.ml;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

import java.util.List;

/**
 * A trained {@link SequenceClassifier}: adds {@code rawPrediction} (logits), {@code probability}
 * (softmax) and {@code prediction} (the label value of the most probable class). Vector index i is
 * the i-th smallest label seen in training, which is the label itself for labels 0..C-1.
 */
public final class SequenceClassificationModel extends SequenceModel<SequenceClassificationModel> {
    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;
    /** Computed on the driver: executors get the model without its engine (see SequenceModel). */
    private final double[] labelValues;

    /**
     * An empty model, for Spark Connect, which finds third-party stages by class name
     * ({@code META-INF/services/org.apache.spark.ml.Transformer}) and needs these two constructors;
     * it holds no network until {@link #load} gives it one.
     */
    public SequenceClassificationModel() {
        this(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("seqClassificationModel"));
    }

    public SequenceClassificationModel(String uid) {
        this(uid, null);
    }

    public SequenceClassificationModel(String uid, dev.seqtrain.io.Model engine) {
        super(uid, engine);
        labelValues = engine == null ? null : labels();
        probabilityCol = SharedParams.probabilityCol(this);
        rawPredictionCol = SharedParams.rawPredictionCol(this);
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> rawPredictionCol() {
        return rawPredictionCol;
    }

    public SequenceClassificationModel setProbabilityCol(String v) {
        set(probabilityCol, v);
        return this;
    }

    public SequenceClassificationModel setRawPredictionCol(String v) {
        set(rawPredictionCol, v);
        return this;
    }

    /** The label value of each output, in output order. */
    public double[] labels() {
        List<String> classes = engineModel().info().classes();
        double[] out = new double[classes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Double.parseDouble(classes.get(i));
        }
        return out;
    }

    @Override
    protected List<StructField> outputFields() {
        return List.of(DataTypes.createStructField(getOrDefault(rawPredictionCol), SQLDataTypes.VectorType(), false),
                DataTypes.createStructField(getOrDefault(probabilityCol), SQLDataTypes.VectorType(), false),
                DataTypes.createStructField(getOrDefault(predictionCol()), DataTypes.DoubleType, false));
    }

    @Override
    protected Object[] outputValues(float[][] raw, float[][] predicted) {
        float[] logits = raw[raw.length - 1];
        float[] probabilities = predicted[predicted.length - 1];
        double[] r = new double[logits.length];
        double[] p = new double[logits.length];
        int best = 0;
        for (int i = 0; i < r.length; i++) {
            r[i] = logits[i];
            p[i] = probabilities[i];
            if (r[i] > r[best]) {
                best = i;
            }
        }
        return new Object[] {Vectors.dense(r), Vectors.dense(p), labelValues[best]};
    }

    @Override
    public SequenceClassificationModel copy(ParamMap extra) {
        return copyValues(new SequenceClassificationModel(uid(), engineModel()), extra).setParent(parent())
                .withSummary(summary());
    }

    public static MLReader<SequenceClassificationModel> read() {
        return new SequenceModelReader<>(SequenceClassificationModel.class, SequenceClassificationModel::new);
    }

    public static SequenceClassificationModel load(String path) {
        return read().load(path);
    }

    /**
     * The task's metrics on a labelled table, computed where the data is (Spark's evaluators over
     * {@link #transform}; nothing is collected): {@code accuracy}, {@code weightedF1}, and
     * {@code logLoss} (meaningful for labels 0..C-1, e.g. from {@code StringIndexer}, where probability
     * index i is label i).
     */
    public java.util.Map<String, Double> evaluate(org.apache.spark.sql.Dataset<?> dataset, String labelCol) {
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> predicted = transform(dataset).cache();
        try {
            java.util.Map<String, Double> metrics = new java.util.LinkedHashMap<>();
            for (String metric : new String[] {"accuracy", "weightedFMeasure", "logLoss"}) {
                double v = new org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator().setLabelCol(labelCol)
                        .setPredictionCol(getOrDefault(predictionCol())).setProbabilityCol(getOrDefault(probabilityCol))
                        .setMetricName(metric).evaluate(predicted);
                metrics.put(metric.equals("weightedFMeasure") ? "weightedF1" : metric, v);
            }
            return metrics;
        } finally {
            predicted.unpersist();
        }
    }
}
