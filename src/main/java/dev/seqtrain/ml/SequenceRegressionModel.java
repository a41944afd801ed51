package dev.seqtrain.ml;

import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

import java.util.List;

/** A trained {@link SequenceRegressor}: adds {@code prediction}, one number per sequence. */
public final class SequenceRegressionModel extends SequenceModel<SequenceRegressionModel> {

    /**
     * An empty model, for Spark Connect, which finds third-party stages by class name
     * ({@code META-INF/services/org.apache.spark.ml.Transformer}) and needs these two constructors;
     * it holds no network until {@link #load} gives it one.
     */
    public SequenceRegressionModel() {
        this(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("seqRegressionModel"));
    }

    public SequenceRegressionModel(String uid) {
        this(uid, null);
    }

    public SequenceRegressionModel(String uid, dev.seqtrain.io.Model engine) {
        super(uid, engine);
    }

    @Override
    protected List<StructField> outputFields() {
        return List.of(DataTypes.createStructField(getOrDefault(predictionCol()), DataTypes.DoubleType, false));
    }

    @Override
    protected Object[] outputValues(float[][] raw, float[][] predicted) {
        return new Object[] {(double) predicted[predicted.length - 1][0]};
    }

    @Override
    public SequenceRegressionModel copy(ParamMap extra) {
        return copyValues(new SequenceRegressionModel(uid(), engineModel()), extra).setParent(parent())
                .withSummary(summary());
    }

    public static MLReader<SequenceRegressionModel> read() {
        return new SequenceModelReader<>(SequenceRegressionModel.class, SequenceRegressionModel::new);
    }

    public static SequenceRegressionModel load(String path) {
        return read().load(path);
    }

    /**
     * The task's metrics on a labelled table, computed where the data is (Spark's evaluator over
     * {@link #transform}; nothing is collected): {@code rmse}, {@code mse}, {@code mae}, {@code r2}.
     */
    public java.util.Map<String, Double> evaluate(org.apache.spark.sql.Dataset<?> dataset, String labelCol) {
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> predicted = transform(dataset).cache();
        try {
            java.util.Map<String, Double> metrics = new java.util.LinkedHashMap<>();
            for (String metric : new String[] {"rmse", "mse", "mae", "r2"}) {
                metrics.put(metric, new org.apache.spark.ml.evaluation.RegressionEvaluator().setLabelCol(labelCol)
                        .setPredictionCol(getOrDefault(predictionCol())).setMetricName(metric).evaluate(predicted));
            }
            return metrics;
        } finally {
            predicted.unpersist();
        }
    }
}
