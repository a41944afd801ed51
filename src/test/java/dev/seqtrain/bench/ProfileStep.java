package dev.seqtrain.bench;

import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.Initializer;
import dev.seqtrain.nn.LearningRateSchedule;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Optimizer;
import dev.seqtrain.nn.OptimizerKind;
import dev.seqtrain.nn.OptimizerState;
import dev.seqtrain.train.LocalTrainer;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import java.nio.file.Path;

/**
 * Training steps of one benchmark config in a loop, for a sampling profiler (scripts/profile-step
 * runs it under JDK Flight Recorder and sums the samples by method): where a step's time goes.
 * Arguments: CONFIG CELL SECONDS JFR_FILE.
 *
 * <p>The recording starts after {@link #WARMUP_SECONDS} of steps, so that the interpreter's and C1's
 * samples (the Vector API's Java fallbacks before C2 compiles the kernels) do not count as the
 * steady state's.
 */
public final class ProfileStep {
    static final int WARMUP_SECONDS = 5;

    public static void main(String[] args) throws Exception {
        BenchConfig c = BenchConfig.valueOf(args[0]);
        NetworkSpec spec = c.spec(CellType.valueOf(args[1]));
        long seconds = Long.parseLong(args[2]);
        float[] params = Initializer.initialize(spec, 1, 1f);
        Optimizer adam = Optimizer.defaults(OptimizerKind.ADAM);
        LocalTrainer trainer = new LocalTrainer(spec, adam, LearningRateSchedule.constant(1e-3f), 0, 0);
        OptimizerState state = adam.newState(params.length);
        MiniBatch batch = c.randomBatch(3);
        double sink = 0;
        long warmupEnd = System.nanoTime() + WARMUP_SECONDS * 1_000_000_000L;
        while (System.nanoTime() < warmupEnd) {
            sink += trainer.trainBatch(params, state, batch, null).sum();
        }
        long steps = 0;
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
            recording.start();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                sink += trainer.trainBatch(params, state, batch, null).sum();
                steps++;
            }
            recording.stop();
            recording.dump(Path.of(args[3]));
        }
        System.out.printf("%s %s: %d steps in %d s (%.2f ms/step) %s%n", c.id, args[1], steps, seconds, seconds * 1e3 / steps,
                sink == 42 ? "" : "");
    }
}
