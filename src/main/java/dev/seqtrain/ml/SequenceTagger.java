package dev.seqtrain.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * Per-step outputs (many-to-many) as a Spark ML estimator: {@code labelCol} holds an
 * {@code array<array<number>>} with one target vector per step, multi-hot 0/1 values for
 * {@code tagging=multilabel} (sigmoid cross-entropy, e.g. notes sounding in polyphonic music) or any
 * numbers for {@code tagging=regress} (mean squared error). The model adds per-step arrays.
 */
public final class SequenceTagger extends SequenceEstimator<SequenceTaggingModel, SequenceTagger> {
    private final Param<String> tagging;
    private final Param<String> probabilityCol;

    public SequenceTagger() {
        this(Identifiable$.MODULE$.randomUID("seqTagger"));
    }

    public SequenceTagger(String uid) {
        super(uid);
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

    public SequenceTagger setTagging(String v) {
        set(tagging, v);
        return this;
    }

    public SequenceTagger setProbabilityCol(String v) {
        set(probabilityCol, v);
        return this;
    }

    @Override
    protected String task() {
        return getOrDefault(tagging);
    }

    @Override
    protected String targetsColumn() {
        return getOrDefault(labelCol());
    }

    @Override
    protected SequenceTaggingModel newModel(String uid, dev.seqtrain.io.Model engine) {
        return new SequenceTaggingModel(uid, engine);
    }

    @Override
    public SequenceTagger copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<SequenceTagger> read() {
        return new DefaultParamsReader<>();
    }

    public static SequenceTagger load(String path) {
        return read().load(path);
    }
}
