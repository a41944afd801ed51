package dev.seqtrain.nn;

import dev.seqtrain.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Optimizer updates against PyTorch's ({@code optimizers.safetensors}), learning-rate schedules and clipping. */
class OptimizerTest {

    static Optimizer named(String name) {
        return switch (name) {
            case "sgd" -> new Optimizer(OptimizerKind.SGD, 0f, false, 0, 0, 0, 0, 0f);
            case "sgd-momentum" -> new Optimizer(OptimizerKind.SGD, 0.9f, false, 0, 0, 0, 0, 0.01f);
            case "sgd-nesterov" -> new Optimizer(OptimizerKind.SGD, 0.9f, true, 0, 0, 0, 0, 0f);
            case "adam" -> new Optimizer(OptimizerKind.ADAM, 0, false, 0.9f, 0.999f, 0, 1e-8f, 0f);
            case "adam-decay" -> new Optimizer(OptimizerKind.ADAM, 0, false, 0.8f, 0.99f, 0, 1e-6f, 0.1f);
            case "rmsprop" -> new Optimizer(OptimizerKind.RMSPROP, 0, false, 0, 0, 0.99f, 1e-8f, 0f);
            default -> throw new IllegalArgumentException(name);
        };
    }

    static float rate(String name) {
        return name.startsWith("sgd") ? 0.1f : 0.01f;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "sgd-momentum", "sgd-nesterov", "adam", "adam-decay", "rmsprop"})
    void stepsMatchPyTorch(String name) throws Exception {
        Map<String, Safetensors.Tensor> f;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/optimizers.safetensors")) {
            byte[] all = in.readAllBytes();
            f = Safetensors.read(new ByteArrayInputStream(all), all.length, "optimizers.safetensors");
        }
        float[] params = f.get("start").data().clone();
        float[] grads = f.get("grads").data();
        float[] after = f.get("after." + name).data();
        int n = params.length;
        Optimizer opt = named(name);
        OptimizerState state = opt.newState(n);
        for (int step = 0; step < 5; step++) {
            float[] g = new float[n];
            System.arraycopy(grads, step * n, g, 0, n);
            opt.step(params, g, state, rate(name));
            for (int i = 0; i < n; i++) {
                assertEquals(after[step * n + i], params[i], 2e-6 * Math.max(1, Math.abs(after[step * n + i])),
                        name + " step " + (step + 1) + " parameter " + i);
            }
        }
    }

    @Test
    void clippingScalesToTheGlobalNorm() {
        float[] g = {3f, 4f};
        assertEquals(5.0, Optimizer.clipGlobalNorm(g, 1.0), 1e-9);
        assertEquals(1.0, Math.hypot(g[0], g[1]), 1e-5);
        assertEquals(0.6f, g[0], 1e-5);
        float[] small = {0.3f, 0.4f};
        Optimizer.clipGlobalNorm(small, 1.0);
        assertEquals(0.3f, small[0]);
    }

    @Test
    void schedules() {
        LearningRateSchedule step = new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 1f, 10, 0.5f, 0, 0f);
        assertEquals(1f, step.rate(9));
        assertEquals(0.5f, step.rate(10));
        assertEquals(0.25f, step.rate(25));
        LearningRateSchedule cos = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1f, 0, 0, 100, 0.1f);
        assertEquals(1f, cos.rate(0), 1e-6);
        assertEquals(0.55f, cos.rate(50), 1e-6);
        assertEquals(0.1f, cos.rate(100), 1e-6);
        assertEquals(0.1f, cos.rate(1000), 1e-6);
        assertEquals(0.3f, LearningRateSchedule.constant(0.3f).rate(12345));
    }
}
