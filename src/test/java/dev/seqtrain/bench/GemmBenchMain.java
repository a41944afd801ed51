package dev.seqtrain.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link GemmBenchmark} and {@link FmaPeakBenchmark} and prints GFLOP/s per shape and implementation,
 * with each figure's share of the FMA peak measured in the same run (scripts/bench-gemm).
 */
public final class GemmBenchMain {
    public static void main(String[] args) throws Exception {
        var opts = new OptionsBuilder().include(GemmBenchmark.class.getSimpleName())
                .include(FmaPeakBenchmark.class.getSimpleName()).forks(1).warmupIterations(3)
                .warmupTime(TimeValue.seconds(1)).measurementIterations(5).measurementTime(TimeValue.seconds(1)).threads(1)
                .jvmArgsAppend("--add-modules=jdk.incubator.vector", "-Xmx2g", "-Dseqtrain.gemm=java").build();
        var results = new Runner(opts).run();
        double peak = Double.NaN;
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().endsWith("FmaPeakBenchmark.fma")) {
                peak = FmaPeakBenchmark.flopsPerCall() / (r.getPrimaryResult().getScore() * 1e-6) / 1e9;
            }
        }
        System.out.println("| shape (m×n×k) | implementation | µs | GFLOP/s | share of FMA peak |");
        System.out.println("|---|---|---|---|---|");
        System.out.printf("| FMA peak, %d lanes, no memory | Vector API | | %.1f | 100%% |%n", FmaPeakBenchmark.SPECIES.length(), peak);
        for (RunResult r : results) {
            String shape = r.getParams().getParam("shape");
            if (shape == null) {
                continue;
            }
            double us = r.getPrimaryResult().getScore();
            double gflops = GemmBenchmark.flops(shape) / (us * 1e-6) / 1e9;
            System.out.printf("| %s | %s | %.1f | %.1f | %.0f%% |%n", shape, r.getParams().getParam("impl"), us, gflops,
                    100 * gflops / peak);
        }
    }
}
