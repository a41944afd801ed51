package dev.seqtrain.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * Params an estimator and its model both declare (Spark copies values between them by name), made
 * in one place so names, docs and checks cannot drift apart. The owner sets the defaults.
 */
final class SharedParams {
    private SharedParams() {
    }

    static Param<String> featuresCol(Params owner) {
        return new Param<>(owner, "featuresCol", "features column: array<array<float>> (steps × features) or array<float>");
    }

    static Param<String> predictionCol(Params owner) {
        return new Param<>(owner, "predictionCol", "prediction column name");
    }

    static Param<String> probabilityCol(Params owner) {
        return new Param<>(owner, "probabilityCol", "column of probabilities (per class, or per step and label for the tagger)");
    }

    static Param<String> rawPredictionCol(Params owner) {
        return new Param<>(owner, "rawPredictionCol", "column of raw scores (logits, a vector)");
    }

    static Param<String> tagging(Params owner) {
        return new Param<>(owner, "tagging", "multilabel (0/1 targets per step and label) or regress (numbers per step)",
                ParamValidators.inArray(new String[] {"multilabel", "regress"}));
    }
}
