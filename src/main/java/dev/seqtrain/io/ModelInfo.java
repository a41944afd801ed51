package dev.seqtrain.io;

import java.util.List;

/**
 * What a model knows about its data besides the network: how inputs and outputs are named.
 *
 * @param vocabulary token strings for token input, index = token id (null for dense input)
 * @param classes    class names for softmax outputs, index = class id (null when unnamed)
 * @param source     how the model was made (e.g. "import-torch", "train"), for people reading model.json
 * @param featureMean per-feature mean subtracted from dense inputs before the network (null = none)
 * @param featureStd  per-feature standard deviation dividing dense inputs (null = none)
 * @param unknownToken vocabulary entry that characters outside the vocabulary map to at sample and
 *                     evaluate time (null = such characters are an error)
 */
public record ModelInfo(List<String> vocabulary, List<String> classes, String source, float[] featureMean, float[] featureStd,
                        String unknownToken) implements java.io.Serializable {
    public static ModelInfo of(String source) {
        return new ModelInfo(null, null, source, null, null, null);
    }
}
