package dev.seqtrain.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * Sequence classification (many-to-one, softmax cross-entropy) as a Spark ML estimator, like
 * {@code MultilayerPerceptronClassifier}: {@code labelCol} holds one class per sequence (numbers, as
 * after a {@code StringIndexer}); the model adds {@code rawPrediction}, {@code probability} and
 * {@code prediction}.
 */
public final class SequenceClassifier extends SequenceEstimator<SequenceClassificationModel, SequenceClassifier> {
    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;

    public SequenceClassifier() {
        this(Identifiable$.MODULE$.randomUID("seqClassifier"));
    }

    public SequenceClassifier(String uid) {
        super(uid);
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

    public SequenceClassifier setProbabilityCol(String v) {
        set(probabilityCol, v);
        return this;
    }

    public SequenceClassifier setRawPredictionCol(String v) {
        set(rawPredictionCol, v);
        return this;
    }

    @Override
    protected String task() {
        return "classify";
    }

    @Override
    protected SequenceClassificationModel newModel(String uid, dev.seqtrain.io.Model engine) {
        return new SequenceClassificationModel(uid, engine);
    }

    @Override
    public SequenceClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<SequenceClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static SequenceClassifier load(String path) {
        return read().load(path);
    }
}
