package dev.seqtrain.bench;

import dev.seqtrain.nn.CellType;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;

/**
 * Runs {@link TrainingStepBenchmark} and prints, per config, timesteps/s and GFLOP/s as a TSV table
 * (read by scripts/bench-vs-torch). Arguments: [configs comma-separated] [cells comma-separated].
 */
public final class BenchMain {
    public static void main(String[] args) throws Exception {
        String configs = args.length > 0 ? args[0] : "CHARLM_SMALL,CHARLM_MEDIUM,CLS_60,WIDE_512";
        String cells = args.length > 1 ? args[1] : "LSTM";
        int forks = Integer.getInteger("bench.forks", 1);
        ChainedOptionsBuilder opts = new OptionsBuilder()
                .include(TrainingStepBenchmark.class.getSimpleName())
                .param("config", configs.split(","))
                .param("cell", cells.split(","))
                .forks(forks)
                .warmupIterations(Integer.getInteger("bench.warmups", 3))
                .warmupTime(TimeValue.seconds(2))
                .measurementIterations(Integer.getInteger("bench.iterations", 5))
                .measurementTime(TimeValue.seconds(2))
                .threads(1)
                .jvmArgsAppend("--add-modules=jdk.incubator.vector", "-Xmx4g");
        Collection<RunResult> results = new Runner(opts.build()).run();
        System.out.println("RESULTS\tconfig\tcell\tms_per_step\terror_ms\ttimesteps_per_s\tgflops");
        for (RunResult r : results) {
            BenchConfig c = BenchConfig.valueOf(r.getParams().getParam("config"));
            CellType cell = CellType.valueOf(r.getParams().getParam("cell"));
            double ms = r.getPrimaryResult().getScore();
            double err = r.getPrimaryResult().getScoreError();
            double perSecond = c.timestepsPerBatch() / (ms / 1000);
            double gflops = c.trainingFlopsPerBatch(cell) / (ms / 1000) / 1e9;
            System.out.printf("RESULTS\t%s\t%s\t%.3f\t%.3f\t%.0f\t%.1f%n", c.id, cell.id(), ms, Double.isNaN(err) ? 0 : err,
                    perSecond, gflops);
        }
    }
}
