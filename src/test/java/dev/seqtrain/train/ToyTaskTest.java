package dev.seqtrain.train;

import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.Initializer;
import dev.seqtrain.nn.LearningRateSchedule;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.LossSum;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Optimizer;
import dev.seqtrain.nn.OptimizerKind;
import dev.seqtrain.nn.OptimizerState;
import dev.seqtrain.nn.Task;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** One learnable toy task per task type: the held-out loss must fall far below chance. */
class ToyTaskTest {

    interface BatchMaker {
        MiniBatch make(SplittableRandom rng);
    }

    /** Trains {@code steps} batches with Adam, returns the mean loss on fresh batches. */
    static double trainAndEvaluate(NetworkSpec spec, BatchMaker maker, int steps, float lr, int tbptt) {
        float[] params = Initializer.initialize(spec, 1, 1f);
        LocalTrainer trainer = new LocalTrainer(spec, Optimizer.defaults(OptimizerKind.ADAM),
                LearningRateSchedule.constant(lr), 5.0, tbptt);
        OptimizerState state = Optimizer.defaults(OptimizerKind.ADAM).newState(params.length);
        SplittableRandom rng = new SplittableRandom(2);
        for (int i = 0; i < steps; i++) {
            trainer.trainBatch(params, state, maker.make(rng), rng);
        }
        LossSum held = LossSum.ZERO;
        SplittableRandom test = new SplittableRandom(99);
        for (int i = 0; i < 5; i++) {
            held = held.plus(trainer.evaluate(params, maker.make(test)));
        }
        return held.mean();
    }

    /** Language model: the next token is the current one plus a per-sequence stride, mod V. */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void languageModelLearnsACountingSequence(CellType cell) {
        int v = 8;
        int t = 12;
        int b = 16;
        NetworkSpec spec = new NetworkSpec(cell, v, true, 24, 1, v, Task.MANY_TO_MANY, LossKind.SOFTMAX_CROSS_ENTROPY, 0f);
        double loss = trainAndEvaluate(spec, rng -> {
            int[] tokens = new int[t * b];
            int[] targets = new int[t * b];
            int[] lengths = new int[b];
            for (int s = 0; s < b; s++) {
                int x = rng.nextInt(v);
                int stride = 1 + rng.nextInt(2);
                lengths[s] = t;
                for (int k = 0; k < t; k++) {
                    tokens[k * b + s] = x;
                    x = (x + stride) % v;
                    targets[k * b + s] = x;
                }
            }
            return new MiniBatch(t, b, v, lengths, null, tokens, targets, null);
        }, 300, 0.02f, 0);
        // Chance is ln 8 = 2.08; the stride is ambiguous only at the first step.
        assertTrue(loss < 0.35, cell + " LM loss " + loss + " (chance 2.08)");
    }

    /** Classification of variable-length sequences: which of 3 constant levels the noisy signal sits at. */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void classifierLearnsLevels(CellType cell) {
        int t = 10;
        int b = 16;
        NetworkSpec spec = new NetworkSpec(cell, 1, false, 16, 1, 3, Task.MANY_TO_ONE, LossKind.SOFTMAX_CROSS_ENTROPY, 0f);
        double loss = trainAndEvaluate(spec, rng -> {
            float[] x = new float[t * b];
            int[] labels = new int[b];
            int[] lengths = new int[b];
            for (int s = 0; s < b; s++) {
                labels[s] = rng.nextInt(3);
                lengths[s] = 3 + rng.nextInt(t - 2);
                for (int k = 0; k < lengths[s]; k++) {
                    x[k * b + s] = (labels[s] - 1) + 0.3f * (float) rng.nextGaussian();
                }
            }
            return new MiniBatch(t, b, 1, lengths, x, null, labels, null);
        }, 200, 0.02f, 0);
        assertTrue(loss < 0.2, cell + " classification loss " + loss + " (chance 1.10)");
    }

    /** Multi-label per step: each output unit echoes the input bit seen one step earlier. */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void multiLabelTaggerLearnsADelayedEcho(CellType cell) {
        int units = 4;
        int t = 10;
        int b = 16;
        NetworkSpec spec = new NetworkSpec(cell, units, false, 24, 2, units, Task.MANY_TO_MANY,
                LossKind.SIGMOID_BINARY_CROSS_ENTROPY, 0f);
        double nll = trainAndEvaluate(spec, rng -> {
            float[] x = new float[t * b * units];
            float[] y = new float[t * b * units];
            int[] lengths = new int[b];
            for (int s = 0; s < b; s++) {
                lengths[s] = 2 + rng.nextInt(t - 1);
                for (int k = 0; k < t; k++) {
                    for (int u = 0; u < units; u++) {
                        x[(k * b + s) * units + u] = rng.nextInt(2);
                        y[(k * b + s) * units + u] = k == 0 ? 0f : x[((k - 1) * b + s) * units + u];
                    }
                }
            }
            return new MiniBatch(t, b, units, lengths, x, null, null, y);
        }, 300, 0.02f, 0);
        // Chance: 4 fair bits per step = 4 ln 2 = 2.77 nats per step.
        assertTrue(nll < 0.4, cell + " multi-label NLL per step " + nll + " (chance 2.77)");
    }

    /** Regression per step with truncated BPTT: predict the sum of the last two inputs. */
    @ParameterizedTest
    @EnumSource(CellType.class)
    void regressorLearnsARunningSumWithTbptt(CellType cell) {
        int t = 24;
        int b = 16;
        NetworkSpec spec = new NetworkSpec(cell, 1, false, 16, 1, 1, Task.MANY_TO_MANY, LossKind.MEAN_SQUARED_ERROR, 0f);
        double mse = trainAndEvaluate(spec, rng -> {
            float[] x = new float[t * b];
            float[] y = new float[t * b];
            int[] lengths = new int[b];
            for (int s = 0; s < b; s++) {
                lengths[s] = t;
                float prev = 0;
                for (int k = 0; k < t; k++) {
                    float v = (float) rng.nextGaussian() * 0.5f;
                    x[k * b + s] = v;
                    y[k * b + s] = v + prev;
                    prev = v;
                }
            }
            return new MiniBatch(t, b, 1, lengths, x, null, null, y);
        }, 300, 0.01f, 6);
        // Predicting the mean (0) scores the target variance, 0.5.
        assertTrue(mse < 0.05, cell + " regression MSE " + mse + " (predicting the mean: 0.5)");
    }

}
