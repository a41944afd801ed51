package dev.seqtrain.nn;

import java.util.SplittableRandom;

/** Random mini-batches of every input and target kind, for tests. */
final class TestBatches {
    private TestBatches() {
    }

    static MiniBatch random(NetworkSpec spec, int steps, int size, boolean variableLengths, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] lengths = new int[size];
        for (int b = 0; b < size; b++) {
            lengths[b] = variableLengths ? 1 + rng.nextInt(steps) : steps;
        }
        if (variableLengths) {
            lengths[0] = steps;
        }
        int i = spec.inputSize();
        int o = spec.outputSize();
        float[] features = null;
        int[] tokens = null;
        if (spec.categoricalInput()) {
            tokens = new int[steps * size];
            for (int k = 0; k < tokens.length; k++) {
                tokens[k] = rng.nextInt(i);
            }
        } else {
            features = new float[steps * size * i];
            for (int k = 0; k < features.length; k++) {
                features[k] = (float) rng.nextGaussian();
            }
        }
        int targetRows = spec.task() == Task.MANY_TO_MANY ? steps * size : size;
        int[] classTargets = null;
        float[] valueTargets = null;
        switch (spec.loss()) {
            case SOFTMAX_CROSS_ENTROPY -> {
                classTargets = new int[targetRows];
                for (int k = 0; k < targetRows; k++) {
                    classTargets[k] = rng.nextInt(o);
                }
            }
            case SIGMOID_BINARY_CROSS_ENTROPY -> {
                valueTargets = new float[targetRows * o];
                for (int k = 0; k < valueTargets.length; k++) {
                    valueTargets[k] = rng.nextInt(3) == 0 ? 1f : 0f;
                }
            }
            case MEAN_SQUARED_ERROR -> {
                valueTargets = new float[targetRows * o];
                for (int k = 0; k < valueTargets.length; k++) {
                    valueTargets[k] = (float) rng.nextGaussian();
                }
            }
        }
        return new MiniBatch(steps, size, i, lengths, features, tokens, classTargets, valueTargets);
    }
}
