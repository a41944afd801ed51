package dev.seqtrain.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link GemmBenchmark} and prints GFLOP/s per shape and implementation (scripts/bench-gemm). */
public final class GemmBenchMain {
    public static void main(String[] args) throws Exception {
        var opts = new OptionsBuilder().include(GemmBenchmark.class.getSimpleName()).forks(1).warmupIterations(3)
                .warmupTime(TimeValue.seconds(1)).measurementIterations(5).measurementTime(TimeValue.seconds(1)).threads(1)
                .jvmArgsAppend("--add-modules=jdk.incubator.vector", "-Xmx2g", "-Dseqtrain.gemm=java").build();
        var results = new Runner(opts).run();
        System.out.println("| shape (m×n×k) | implementation | µs | GFLOP/s |");
        System.out.println("|---|---|---|---|");
        for (RunResult r : results) {
            String shape = r.getParams().getParam("shape");
            double us = r.getPrimaryResult().getScore();
            System.out.printf("| %s | %s | %.1f | %.1f |%n", shape, r.getParams().getParam("impl"), us,
                    GemmBenchmark.flops(shape) / (us * 1e-6) / 1e9);
        }
    }
}
