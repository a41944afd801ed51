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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/** One training step (forward + BPTT + Adam) on one thread, per benchmark shape and cell. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TrainingStepBenchmark {
    @Param({"CHARLM_SMALL", "CHARLM_MEDIUM", "CLS_60", "WIDE_512"})
    public String config;
    @Param({"LSTM"})
    public String cell;

    private LocalTrainer trainer;
    private float[] params;
    private OptimizerState state;
    private MiniBatch batch;

    @Setup
    public void setUp() {
        BenchConfig c = BenchConfig.valueOf(config);
        NetworkSpec spec = c.spec(CellType.valueOf(cell));
        params = Initializer.initialize(spec, 1, 1f);
        Optimizer adam = Optimizer.defaults(OptimizerKind.ADAM);
        trainer = new LocalTrainer(spec, adam, LearningRateSchedule.constant(1e-3f), 0, 0);
        state = adam.newState(params.length);
        batch = c.randomBatch(3);
    }

    @Benchmark
    public double trainingStep() {
        return trainer.trainBatch(params, state, batch, null).sum();
    }
}
