package dev.seqtrain.train;

import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.LearningRateSchedule;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Optimizer;
import dev.seqtrain.nn.OptimizerKind;
import dev.seqtrain.nn.Task;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Successive fits with new settings (a CrossValidator's) reuse a bounded cache of trainer workspaces. */
class TrainerCacheTest {
    private static TrainerSettings settings(long seed) {
        return new TrainerSettings(1, 8, 2, List.of(0), false, true, LearningRateScaling.NONE,
                Optimizer.defaults(OptimizerKind.ADAM), LearningRateSchedule.constant(0.01f), 5, 0, seed, 0, 1, 1, 8, 1f);
    }

    @Test
    void reusesATrainerAndKeepsOnlyTheRecentOnes() {
        NetworkSpec spec = new NetworkSpec(CellType.GRU, 4, false, 8, 1, 3, Task.MANY_TO_ONE, LossKind.SOFTMAX_CROSS_ENTROPY, 0f);
        LocalTrainer first = Round.trainerFor(spec, settings(1));
        assertSame(first, Round.trainerFor(spec, settings(1)), "equal settings (as after deserialisation) share the trainer");
        for (long seed = 2; seed < 50; seed++) {
            Round.trainerFor(spec, settings(seed));
        }
        assertTrue(Round.cachedTrainers() <= Round.CACHED_TRAINERS, "cache holds " + Round.cachedTrainers());
    }
}
