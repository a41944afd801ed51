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
