package dev.seqtrain.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.seqtrain.io.Model;
import dev.seqtrain.io.ModelInfo;
import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.Initializer;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.Network;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.RecurrentState;
import dev.seqtrain.nn.Task;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every exported graph, run by ONNX Runtime, gives {@code predict}'s outputs: each cell, 1 and 2 layers,
 * both heads, every loss's output transform, dense input with and without standardisation, token input
 * through both lookups (one-hot for a small vocabulary, a gathered projection for a large one), on
 * padded batches (sequences of different lengths).
 */
public class OnnxExportTest {
    public static final double TOLERANCE = 1e-5;
    private static final int HIDDEN = 9;
    private static final int STEPS = 7;
    private static final int BATCH = 5;

    enum Input { DENSE, DENSE_STANDARDISED, TOKENS_SMALL_VOCABULARY, TOKENS_LARGE_VOCABULARY }

    @Test
    void onnxRuntimeMatchesPredictOnEveryArchitecture() throws OrtException {
        int checked = 0;
        long seed = 1;
        for (CellType cell : CellType.values()) {
            for (int layers = 1; layers <= 2; layers++) {
                for (Task task : Task.values()) {
                    for (Input input : Input.values()) {
                        for (LossKind loss : LossKind.values()) {
                            Model model = randomModel(cell, layers, task, input, loss, seed++);
                            MiniBatch mb = randomBatch(model.spec(), seed++);
                            assertSameOutputs(model, mb, cell + " " + layers + " layer(s) " + task + " " + input + " " + loss);
                            checked++;
                        }
                    }
                }
            }
        }
        assertEquals(3 * 2 * 2 * 4 * 3, checked);
    }

    /** README's Java serving lines, as written there (Java arrays in, the per-sequence probabilities out). */
    @Test
    void readmeServingSnippetRuns(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Model model = randomModel(CellType.LSTM, 1, Task.MANY_TO_ONE, Input.DENSE, LossKind.SOFTMAX_CROSS_ENTROPY, 99);
        java.nio.file.Path file = dir.resolve("trends.onnx");
        java.nio.file.Files.write(file, OnnxExport.toBytes(model));
        float[][][] x = new float[2][3][4];
        int[] lengths = {3, 2};
        x[0][1][2] = 1f;
        x[1][0][0] = -1f;

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
        float[][] probabilities = (float[][]) session.run(Map.of("input", OnnxTensor.createTensor(env, x),
                "sequence_lens", OnnxTensor.createTensor(env, lengths))).get("output").get().getValue();
        session.close();

        assertEquals(2, probabilities.length);
        for (float[] p : probabilities) {
            assertEquals(1.0, p[0] + p[1] + p[2], 1e-5);
        }
    }

    static Model randomModel(CellType cell, int layers, Task task, Input input, LossKind loss, long seed) {
        boolean tokens = input == Input.TOKENS_SMALL_VOCABULARY || input == Input.TOKENS_LARGE_VOCABULARY;
        // Small: fewer tokens than gate rows (one-hot path); large: more (gather path) for every cell.
        int inputSize = switch (input) {
            case DENSE, DENSE_STANDARDISED -> 4;
            case TOKENS_SMALL_VOCABULARY -> HIDDEN - 2;
            case TOKENS_LARGE_VOCABULARY -> 4 * HIDDEN + 3;
        };
        NetworkSpec spec = new NetworkSpec(cell, inputSize, tokens, HIDDEN, layers, 3, task, loss, 0f);
        float[] params = Initializer.initialize(spec, seed, 1f);
        for (int i = 0; i < params.length; i++) {
            params[i] *= 2.5f;   // past the activations' linear range, so their differences would show
        }
        float[] mean = null;
        float[] std = null;
        if (input == Input.DENSE_STANDARDISED) {
            SplittableRandom rng = new SplittableRandom(seed);
            mean = new float[inputSize];
            std = new float[inputSize];
            for (int i = 0; i < inputSize; i++) {
                mean[i] = (float) rng.nextGaussian();
                std[i] = 0.5f + (float) rng.nextDouble() * 3f;
            }
        }
        return new Model(spec, params, new ModelInfo(null, null, "test", mean, std, null));
    }

    static MiniBatch randomBatch(NetworkSpec spec, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] lengths = new int[BATCH];
        for (int b = 0; b < BATCH; b++) {
            lengths[b] = b == 0 ? STEPS : 1 + rng.nextInt(STEPS);
        }
        float[] features = null;
        int[] tokens = null;
        if (spec.categoricalInput()) {
            tokens = new int[STEPS * BATCH];
            for (int k = 0; k < tokens.length; k++) {
                tokens[k] = rng.nextInt(spec.inputSize());
            }
        } else {
            features = new float[STEPS * BATCH * spec.inputSize()];
            for (int k = 0; k < features.length; k++) {
                features[k] = (float) (rng.nextGaussian() * 2 + 0.5);
            }
        }
        return new MiniBatch(STEPS, BATCH, spec.inputSize(), lengths, features, tokens, null, null);
    }

    /** ONNX Runtime on the raw batch against {@code Network.predict} on the standardised one. */
    static void assertSameOutputs(Model model, MiniBatch mb, String what) throws OrtException {
        NetworkSpec spec = model.spec();
        Network net = new Network(spec);
        float[] predicted = net.predict(model.params(), standardised(model, mb), 0, mb.steps(),
                new RecurrentState(spec.layers(), mb.size(), spec.hidden()));
        float[][][] expected = net.bySequence(predicted);
        float[][][] actual = runOnnx(OnnxExport.toBytes(model), mb, spec);
        for (int b = 0; b < mb.size(); b++) {
            assertEquals(spec.task() == Task.MANY_TO_MANY ? mb.lengths()[b] : 1, expected[b].length, what);
            for (int k = 0; k < expected[b].length; k++) {
                for (int o = 0; o < spec.outputSize(); o++) {
                    float e = expected[b][k][o];
                    float a = actual[b][k][o];
                    assertTrue(Math.abs(e - a) <= TOLERANCE * Math.max(1, Math.abs(e)),
                            what + ": sequence " + b + " position " + k + " output " + o + ": predict " + e + ", ONNX Runtime " + a);
                }
            }
        }
    }

    private static MiniBatch standardised(Model model, MiniBatch mb) {
        float[] mean = model.info().featureMean();
        if (mean == null) {
            return mb;
        }
        float[] std = model.info().featureStd();
        float[] f = mb.features().clone();
        for (int k = 0; k < f.length; k++) {
            int i = k % mean.length;
            f[k] = (f[k] - mean[i]) / std[i];
        }
        return new MiniBatch(mb.steps(), mb.size(), mb.inputSize(), mb.lengths(), f, null, null, null);
    }

    /**
     * ONNX Runtime's {@code output} for the batch, per sequence as {@code [k][output]}: every real step
     * (many-to-many) or the one per-sequence output.
     */
    static float[][][] runOnnx(byte[] onnx, MiniBatch mb, NetworkSpec spec) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int t = mb.steps();
        int n = mb.size();
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
             OnnxTensor input = inputTensor(env, mb);
             OnnxTensor lens = OnnxTensor.createTensor(env, IntBuffer.wrap(mb.lengths()), new long[]{n});
             OrtSession.Result result = session.run(Map.of("input", input, "sequence_lens", lens))) {
            Object out = result.get("output").orElseThrow().getValue();
            float[][][] bySequence = new float[n][][];
            for (int b = 0; b < n; b++) {
                if (spec.task() == Task.MANY_TO_MANY) {
                    bySequence[b] = Arrays.copyOf(((float[][][]) out)[b], mb.lengths()[b]);
                } else {
                    bySequence[b] = new float[][]{((float[][]) out)[b]};
                }
            }
            assertEquals(t, spec.task() == Task.MANY_TO_MANY ? ((float[][][]) out)[0].length : t);
            return bySequence;
        }
    }

    /**
     * ONNX Runtime's {@code output} for dense sequences ({@code [steps][features]} each, raw as a table
     * holds them), padded into one batch: per sequence {@code [k][output]}, k over its steps (per-step
     * models) or the one per-sequence output.
     */
    public static List<float[][]> runOnnxDense(java.nio.file.Path onnx, List<float[][]> sequences, boolean perStep)
            throws OrtException {
        int n = sequences.size();
        int t = 0;
        for (float[][] s : sequences) {
            t = Math.max(t, s.length);
        }
        int in = sequences.get(0)[0].length;
        float[] x = new float[n * t * in];
        int[] lengths = new int[n];
        for (int b = 0; b < n; b++) {
            float[][] s = sequences.get(b);
            lengths[b] = s.length;
            for (int k = 0; k < s.length; k++) {
                System.arraycopy(s[k], 0, x, (b * t + k) * in, in);
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{n, t, in});
             OnnxTensor lens = OnnxTensor.createTensor(env, IntBuffer.wrap(lengths), new long[]{n});
             OrtSession.Result result = session.run(Map.of("input", input, "sequence_lens", lens))) {
            Object out = result.get("output").orElseThrow().getValue();
            List<float[][]> bySequence = new java.util.ArrayList<>();
            for (int b = 0; b < n; b++) {
                bySequence.add(perStep ? Arrays.copyOf(((float[][][]) out)[b], lengths[b]) : new float[][]{((float[][]) out)[b]});
            }
            return bySequence;
        }
    }

    /** The batch-major {@code input} tensor: padding positions are zeros (token 0). */
    private static OnnxTensor inputTensor(OrtEnvironment env, MiniBatch mb) throws OrtException {
        int t = mb.steps();
        int n = mb.size();
        if (mb.categorical()) {
            long[] ids = new long[n * t];
            for (int b = 0; b < n; b++) {
                for (int s = 0; s < mb.lengths()[b]; s++) {
                    ids[b * t + s] = mb.tokens()[s * n + b];
                }
            }
            return OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[]{n, t});
        }
        int in = mb.inputSize();
        float[] x = new float[n * t * in];
        for (int b = 0; b < n; b++) {
            for (int s = 0; s < mb.lengths()[b]; s++) {
                System.arraycopy(mb.features(), (s * n + b) * in, x, (b * t + s) * in, in);
            }
        }
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{n, t, in});
    }
}
