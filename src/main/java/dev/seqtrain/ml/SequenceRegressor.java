package dev.seqtrain.ml;

import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * Sequence regression (many-to-one, mean squared error) as a Spark ML estimator: {@code labelCol}
 * holds one number per sequence; the model adds {@code prediction}.
 */
public final class SequenceRegressor extends SequenceEstimator<SequenceRegressionModel, SequenceRegressor> {

    public SequenceRegressor() {
        this(Identifiable$.MODULE$.randomUID("seqRegressor"));
    }

    public SequenceRegressor(String uid) {
        super(uid);
    }

    @Override
    protected String task() {
        return "regress";
    }

    @Override
    protected SequenceRegressionModel newModel(String uid, dev.seqtrain.io.Model engine) {
        return new SequenceRegressionModel(uid, engine);
    }

    @Override
    public SequenceRegressor copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<SequenceRegressor> read() {
        return new DefaultParamsReader<>();
    }

    public static SequenceRegressor load(String path) {
        return read().load(path);
    }
}
