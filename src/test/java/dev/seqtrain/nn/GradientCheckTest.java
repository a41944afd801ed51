package dev.seqtrain.nn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finite-difference gradient checks for every cell, loss, task, padding, stacking and TBPTT. */
class GradientCheckTest {
    /**
     * Float32 forward passes, loss summed in double: the analytic gradient (of the summed loss) agrees
     * with five-point differences to 0.5%, or to 5e-5 absolute for gradients below 1e-2 (float32
     * rounding in the forward pass is the floor; a wrong gradient term shows up as errors of order 1).
     */
    private static final double TOLERANCE = 5e-3;
    private static final double EPS = 1.0 / 32;
    private static final double ABS_FLOOR = 1e-2;

    static Stream<Arguments> configurations() {
        List<Arguments> list = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            for (LossKind loss : LossKind.values()) {
                for (Task task : Task.values()) {
                    list.add(Arguments.of(cell, loss, task, 1, false, true));
                }
            }
            list.add(Arguments.of(cell, LossKind.SOFTMAX_CROSS_ENTROPY, Task.MANY_TO_MANY, 2, false, true));
            list.add(Arguments.of(cell, LossKind.SOFTMAX_CROSS_ENTROPY, Task.MANY_TO_MANY, 2, true, true));
            list.add(Arguments.of(cell, LossKind.MEAN_SQUARED_ERROR, Task.MANY_TO_ONE, 3, false, false));
            list.add(Arguments.of(cell, LossKind.SIGMOID_BINARY_CROSS_ENTROPY, Task.MANY_TO_MANY, 2, true, true));
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} layers={3} tokens={4} padded={5}")
    @MethodSource("configurations")
    void analyticGradientMatchesFiniteDifferences(CellType cell, LossKind loss, Task task, int layers,
                                                  boolean tokens, boolean padded) {
        // Hidden sizes that are not a multiple of the vector width exercise the scalar tails too.
        NetworkSpec spec = new NetworkSpec(cell, tokens ? 7 : 5, tokens, 11, layers, loss == LossKind.MEAN_SQUARED_ERROR ? 3 : 4,
                task, loss, 0f);
        MiniBatch mb = TestBatches.random(spec, 6, 5, padded, 42);
        float[] params = Initializer.initialize(spec, 7, 1f);
        scale(params, 2.5f, 11);   // larger weights: gates away from their linear regime
        Network net = new Network(spec);
        GradientCheck.Report r = GradientCheck.check(net.layout(), params, (p, g) -> {
            RecurrentState s = new RecurrentState(layers, mb.size(), spec.hidden());
            if (g == null) {
                return net.evaluate(p, mb, 0, mb.steps(), s).sum();
            }
            return summedLossGradient(net, p, g, mb, 0, mb.steps(), s, null);
        }, EPS, ABS_FLOOR, 3);
        assertTrue(r.worstRelativeError() < TOLERANCE, "worst relative error " + r.worstRelativeError() + " at " + r.where());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cells")
    void truncatedBpttStopsGradientsAtSegmentBorders(CellType cell) {
        NetworkSpec spec = new NetworkSpec(cell, 4, false, 9, 2, 3, Task.MANY_TO_MANY, LossKind.SOFTMAX_CROSS_ENTROPY, 0f);
        MiniBatch mb = TestBatches.random(spec, 8, 4, true, 5);
        float[] params = Initializer.initialize(spec, 9, 1f);
        Network net = new Network(spec);
        // The state entering the second segment [4, 8) comes from running the first one; it is a
        // constant for the second segment's gradient.
        RecurrentState carried = new RecurrentState(2, mb.size(), spec.hidden());
        net.evaluate(params, mb, 0, 4, carried);
        GradientCheck.Report r = GradientCheck.check(net.layout(), params, (p, g) -> {
            RecurrentState s = copy(carried);
            if (g == null) {
                return net.evaluate(p, mb, 4, 8, s).sum();
            }
            return summedLossGradient(net, p, g, mb, 4, 8, s, null);
        }, EPS, ABS_FLOOR, 4);
        assertTrue(r.worstRelativeError() < TOLERANCE, "worst relative error " + r.worstRelativeError() + " at " + r.where());
    }

    @Test
    void dropoutWithAFixedMaskIsDifferentiable() {
        NetworkSpec spec = new NetworkSpec(CellType.LSTM, 5, false, 8, 3, 4, Task.MANY_TO_MANY,
                LossKind.SOFTMAX_CROSS_ENTROPY, 0.3f);
        MiniBatch mb = TestBatches.random(spec, 5, 3, true, 8);
        float[] params = Initializer.initialize(spec, 10, 1f);
        Network net = new Network(spec);
        GradientCheck.Report r = GradientCheck.check(net.layout(), params, (p, g) -> {
            RecurrentState s = new RecurrentState(3, mb.size(), spec.hidden());
            float[] sink = g != null ? g : new float[p.length];
            // Same seed: the same dropout mask at every evaluation.
            return summedLossGradient(net, p, sink, mb, 0, mb.steps(), s, new SplittableRandom(77));
        }, EPS, ABS_FLOOR, 5);
        assertTrue(r.worstRelativeError() < TOLERANCE, "worst relative error " + r.worstRelativeError() + " at " + r.where());
    }

    /** forwardBackward gives the gradient of the mean loss; the check differentiates the sum (a larger signal). */
    static double summedLossGradient(Network net, float[] p, float[] g, MiniBatch mb, int t0, int t1,
                                     RecurrentState s, SplittableRandom rng) {
        float[] meanGrad = new float[p.length];
        LossSum loss = net.forwardBackward(p, meanGrad, mb, t0, t1, s, rng);
        for (int i = 0; i < g.length; i++) {
            g[i] += meanGrad[i] * loss.positions();
        }
        return loss.sum();
    }

    static Stream<CellType> cells() {
        return Stream.of(CellType.values());
    }

    static RecurrentState copy(RecurrentState s) {
        RecurrentState c = new RecurrentState(s.h.length, 1, 1);
        for (int l = 0; l < s.h.length; l++) {
            c.h[l] = s.h[l].clone();
            c.c[l] = s.c[l].clone();
        }
        return c;
    }

    static void scale(float[] params, float factor, long seed) {
        for (int i = 0; i < params.length; i++) {
            params[i] *= factor;
        }
    }
}
