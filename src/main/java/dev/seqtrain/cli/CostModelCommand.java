package dev.seqtrain.cli;

import dev.seqtrain.cost.CostReport;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code seqtrain cost-model}: calibrate the round-time model on a Spark master and print its predictions. */
@Command(name = "cost-model", mixinStandardHelpOptions = true,
        description = "Measure Spark's per-round costs here, then predict time per round for large clusters.")
final class CostModelCommand implements Callable<Integer> {
    @Option(names = "--master", description = "Spark master to calibrate on (default: local[*])")
    String master;
    @Option(names = "--bandwidth-gbit", defaultValue = "10", description = "link bandwidth of the predicted cluster, Gbit/s")
    double gbit;
    @Option(names = "--latency-us", defaultValue = "100", description = "per-message latency of the predicted cluster, µs")
    double latencyUs;
    @Option(names = "--fan-in", defaultValue = "8", description = "train.aggregationFanIn of the predicted runs")
    int fanIn;
    @Option(names = "--driver-task-ms", defaultValue = "0.5",
            description = "the driver's time to launch one task on the predicted cluster, ms (an assumption: not measurable with 2 slots)")
    double driverTaskMs;
    @Option(names = "--verbose", description = "print stack traces")
    boolean verbose;

    @Override
    public Integer call() {
        try (JavaSparkContext sc = SparkSessions.start(master, "seqtrain cost-model")) {
            CostReport.print(sc, sc.master(), gbit, latencyUs * 1e-6, fanIn, driverTaskMs * 1e-3, System.out);
        }
        return 0;
    }
}
