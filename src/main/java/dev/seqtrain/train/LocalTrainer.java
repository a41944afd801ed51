package dev.seqtrain.train;

import dev.seqtrain.nn.LearningRateSchedule;
import dev.seqtrain.nn.LossSum;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.Network;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Optimizer;
import dev.seqtrain.nn.OptimizerState;
import dev.seqtrain.nn.RecurrentState;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The single-threaded training loop every executor runs on its partition: for each mini-batch,
 * forward and backward (truncated BPTT in segments of {@code tbpttLength} steps, state carried across
 * segments), global-norm clipping, one optimizer step per segment.
 */
public final class LocalTrainer {
    private final Network network;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final double clipNorm;
    private final int tbpttLength;
    private final float[] grads;
    private RecurrentState state;

    /**
     * @param tbpttLength steps per truncated-BPTT segment; 0 = backpropagate through whole sequences
     * @param clipNorm    global gradient-norm limit; 0 = no clipping
     */
    public LocalTrainer(NetworkSpec spec, Optimizer optimizer, LearningRateSchedule schedule, double clipNorm, int tbpttLength) {
        this.network = new Network(spec);
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.clipNorm = clipNorm;
        this.tbpttLength = tbpttLength;
        this.grads = new float[network.layout().size()];
    }

    public Network network() {
        return network;
    }

    /** Trains on one batch; returns its loss summed over output positions (before the updates). */
    public LossSum trainBatch(float[] params, OptimizerState optState, MiniBatch mb, SplittableRandom dropoutRng) {
        RecurrentState s = stateFor(mb.size());
        int segment = tbpttLength <= 0 ? mb.steps() : tbpttLength;
        LossSum total = LossSum.ZERO;
        for (int t0 = 0; t0 < mb.steps(); t0 += segment) {
            int t1 = Math.min(mb.steps(), t0 + segment);
            Arrays.fill(grads, 0f);
            LossSum loss = network.forwardBackward(params, grads, mb, t0, t1, s, dropoutRng);
            total = total.plus(loss);
            if (loss.positions() == 0) {
                continue;   // many-to-one: this segment has no outputs, so nothing to learn from it
            }
            Optimizer.clipGlobalNorm(grads, clipNorm);
            optimizer.step(params, grads, optState, schedule.rate(optState.step));
        }
        return total;
    }

    /** Loss of a batch without training (whole sequences, no dropout). */
    public LossSum evaluate(float[] params, MiniBatch mb) {
        return network.evaluate(params, mb, 0, mb.steps(), stateFor(mb.size()));
    }

    private RecurrentState stateFor(int batch) {
        int h = network.spec().hidden();
        if (state == null || state.batch(h) != batch) {
            state = new RecurrentState(network.spec().layers(), batch, h);
        }
        state.reset();
        return state;
    }
}
