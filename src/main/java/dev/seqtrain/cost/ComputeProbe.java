package dev.seqtrain.cost;

import dev.seqtrain.data.Batcher;
import dev.seqtrain.data.SequenceExample;
import dev.seqtrain.nn.Initializer;
import dev.seqtrain.nn.LearningRateSchedule;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Optimizer;
import dev.seqtrain.nn.OptimizerKind;
import dev.seqtrain.nn.OptimizerState;
import dev.seqtrain.train.LocalTrainer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seconds for one training minibatch (forward, backward, Adam step) of a token model on this thread. */
final class ComputeProbe {
    private ComputeProbe() {
    }

    static double minibatchSeconds(NetworkSpec spec, int batch, int steps, int repeats) {
        SplittableRandom rng = new SplittableRandom(1);
        List<SequenceExample> examples = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] tokens = new int[steps];
            int[] targets = new int[steps];
            for (int t = 0; t < steps; t++) {
                tokens[t] = rng.nextInt(spec.inputSize());
                targets[t] = rng.nextInt(spec.outputSize());
            }
            examples.add(new SequenceExample(steps, null, tokens, SequenceExample.NO_LABEL, targets, null));
        }
        MiniBatch mb = Batcher.pack(examples, spec, true);
        Optimizer adam = Optimizer.defaults(OptimizerKind.ADAM);
        LocalTrainer trainer = new LocalTrainer(spec, adam, LearningRateSchedule.constant(1e-3f), 5, 0);
        float[] params = Initializer.initialize(spec, 3, 1f);
        OptimizerState state = adam.newState(params.length);
        double best = Double.MAX_VALUE;
        for (int r = -1; r < repeats; r++) {
            long t0 = System.nanoTime();
            trainer.trainBatch(params, state, mb, null);
            if (r >= 0) {
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        }
        return best;
    }
}
