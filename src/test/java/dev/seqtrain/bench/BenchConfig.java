package dev.seqtrain.bench;

import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Task;

import java.util.SplittableRandom;

/** The benchmark shapes of issue #2, shared by the JMH benchmark and scripts/bench_torch.py (same numbers). */
enum BenchConfig {
    CHARLM_SMALL("charlm-small", 65, true, 128, 1, 50, 32, 65, Task.MANY_TO_MANY, LossKind.SOFTMAX_CROSS_ENTROPY),
    CHARLM_MEDIUM("charlm-medium", 65, true, 256, 2, 100, 32, 65, Task.MANY_TO_MANY, LossKind.SOFTMAX_CROSS_ENTROPY),
    CLS_60("cls-60", 1, false, 64, 1, 60, 32, 6, Task.MANY_TO_ONE, LossKind.SOFTMAX_CROSS_ENTROPY),
    WIDE_512("wide-512", 128, false, 512, 1, 50, 64, 128, Task.MANY_TO_MANY, LossKind.MEAN_SQUARED_ERROR);

    final String id;
    final int input;
    final boolean tokens;
    final int hidden;
    final int layers;
    final int steps;
    final int batch;
    final int output;
    final Task task;
    final LossKind loss;

    BenchConfig(String id, int input, boolean tokens, int hidden, int layers, int steps, int batch, int output, Task task,
                LossKind loss) {
        this.id = id;
        this.input = input;
        this.tokens = tokens;
        this.hidden = hidden;
        this.layers = layers;
        this.steps = steps;
        this.batch = batch;
        this.output = output;
        this.task = task;
        this.loss = loss;
    }

    NetworkSpec spec(CellType cell) {
        return new NetworkSpec(cell, input, tokens, hidden, layers, output, task, loss, 0f);
    }

    long timestepsPerBatch() {
        return (long) steps * batch;
    }

    /**
     * Training FLOPs per batch by the convention: 3 × forward, forward per step per sample =
     * Σ layers 2·4H·(I+H) + 2·H·O (the one-hot input counted as a dense 65-wide product, as PyTorch does it).
     * The head runs at every step for many-to-many, once per sequence for many-to-one.
     */
    double trainingFlopsPerBatch(CellType cell) {
        double perStep = 0;
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? input : hidden;
            perStep += 2.0 * cell.gates * hidden * (in + hidden);
        }
        double head = 2.0 * hidden * output * (task == Task.MANY_TO_MANY ? steps : 1);
        return 3 * (perStep * steps + head) * batch;
    }

    MiniBatch randomBatch(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] lengths = new int[batch];
        java.util.Arrays.fill(lengths, steps);
        float[] features = null;
        int[] tokenIds = null;
        if (tokens) {
            tokenIds = new int[steps * batch];
            for (int i = 0; i < tokenIds.length; i++) {
                tokenIds[i] = rng.nextInt(input);
            }
        } else {
            features = new float[steps * batch * input];
            for (int i = 0; i < features.length; i++) {
                features[i] = (float) rng.nextGaussian();
            }
        }
        int rows = task == Task.MANY_TO_MANY ? steps * batch : batch;
        int[] classes = null;
        float[] values = null;
        if (loss == LossKind.SOFTMAX_CROSS_ENTROPY) {
            classes = new int[rows];
            for (int i = 0; i < rows; i++) {
                classes[i] = rng.nextInt(output);
            }
        } else {
            values = new float[rows * output];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) rng.nextGaussian();
            }
        }
        return new MiniBatch(steps, batch, input, lengths, features, tokenIds, classes, values);
    }
}
