package dev.seqtrain.cost;

import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.ParameterLayout;
import dev.seqtrain.nn.Task;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Calibrates the cost model on a running Spark, checks it against a measured round trip it was not
 * fitted to, and prints its predictions for large clusters as Markdown tables.
 */
public final class CostReport {
    /** charlm-medium: 2×256 LSTM over 65 characters, minibatch 32×100. */
    static final NetworkSpec CHARLM_MEDIUM = new NetworkSpec(CellType.LSTM, 65, true, 256, 2, 65, Task.MANY_TO_MANY,
            LossKind.SOFTMAX_CROSS_ENTROPY, 0f);
    /** About 10M parameters: 2×896 LSTM over 128 tokens, minibatch 32×100. */
    static final NetworkSpec TEN_MILLION = new NetworkSpec(CellType.LSTM, 128, true, 896, 2, 128, Task.MANY_TO_MANY,
            LossKind.SOFTMAX_CROSS_ENTROPY, 0f);

    private CostReport() {
    }

    public static void print(JavaSparkContext sc, String where, double gbit, double latencySeconds, int fanIn, double driverTaskSeconds,
                             PrintStream out) {
        Locale.setDefault(Locale.ROOT);
        Calibration.Fitted fitted = Calibration.measure(sc, where);
        Calibration c = fitted.calibration();
        out.printf("## Calibration on %s (least squares over %d measured round trips)%n%n", where, Calibration.FIT.size());
        out.println("| per round (job) | per wave of tasks (" + c.slots() + " slots) | per tree level (stage) | state bytes/s per endpoint | float adds/s |");
        out.println("|---|---|---|---|---|");
        out.printf("| %.1f ms | %.2f ms | %.1f ms | %.0f MB/s | %.0f M/s |%n%n", 1e3 * c.jobSeconds(), 1e3 * c.waveSeconds(),
                1e3 * c.stageSeconds(), c.bytesPerSecond() / 1e6, c.addsPerSecond() / 1e6);
        out.println("Check against measured round trips the fit did not see (state of n floats, no optimizer slots, no compute):");
        out.println();
        out.println("| floats | partitions | fan-in | measured | model |");
        out.println("|---|---|---|---|---|");
        for (double[] k : fitted.checks()) {
            out.printf("| %,d | %d | %d | %.0f ms | %.0f ms |%n", (long) k[0], (int) k[1], (int) k[2], 1e3 * k[3], 1e3 * k[4]);
        }
        out.println();

        CostModel.Workload[] workloads = {
                workload("charlm-medium", CHARLM_MEDIUM, 100),
                workload("10M-parameter LSTM", TEN_MILLION, 10)};
        double bandwidth = gbit * 1e9 / 8;
        out.printf("## Predicted seconds per round at %.0f Gbit/s, %.0f µs per message, fan-in %d, %.1f ms of driver time per task,"
                + " one task slot per executor (Adam: state = 3 × parameters)%n%n", gbit, latencySeconds * 1e6, fanIn, driverTaskSeconds * 1e3);
        out.println("| model | params | 1 minibatch | executors | K | compute | scheduling | broadcast | aggregation | total "
                + "| communication share | ring all-reduce (barrier stage) total |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (CostModel.Workload w : workloads) {
            for (int p : new int[] {8, 64, 512}) {
                for (int k : new int[] {1, 25}) {
                    CostModel.Cluster cl = CostModel.Cluster.ofExecutors(p, bandwidth, latencySeconds, fanIn, driverTaskSeconds);
                    CostModel.Round r = CostModel.broadcastAndTree(c, w, cl, k);
                    CostModel.Round ring = CostModel.ringAllReduce(c, w, cl, k);
                    out.printf("| %s | %,d | %.3f s | %d | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f%% | %.3f (%.0f%%) |%n", w.name(), w.params(),
                            w.minibatchSeconds(), p, k, r.compute(), r.scheduling(), r.broadcast(), r.aggregation() + r.driver(),
                            r.total(), 100 * r.communicationShare(), ring.total(), 100 * ring.communicationShare());
                }
            }
        }
        out.println();
        out.println("Smallest number of executors (powers of two up to 4096) from which the ring's round is at least 10% shorter:");
        out.println();
        out.println("| model | K=1 | K=5 | K=25 | K=100 |");
        out.println("|---|---|---|---|---|");
        for (CostModel.Workload w : workloads) {
            StringBuilder row = new StringBuilder("| " + w.name() + " |");
            for (int k : new int[] {1, 5, 25, 100}) {
                int from = -1;
                for (int p = 2; p <= 4096 && from < 0; p *= 2) {
                    CostModel.Cluster cl = CostModel.Cluster.ofExecutors(p, bandwidth, latencySeconds, fanIn, driverTaskSeconds);
                    if (CostModel.ringAllReduce(c, w, cl, k).total() < 0.9 * CostModel.broadcastAndTree(c, w, cl, k).total()) {
                        from = p;
                    }
                }
                row.append(' ').append(from < 0 ? "never" : String.valueOf(from)).append(" |");
            }
            out.println(row);
        }
    }

    private static CostModel.Workload workload(String name, NetworkSpec spec, int measuredSteps) {
        // Measured on this thread with T = measuredSteps, scaled to a 32×100 minibatch (time is linear in T).
        double seconds = ComputeProbe.minibatchSeconds(spec, 32, measuredSteps, 2) * 100.0 / measuredSteps;
        return new CostModel.Workload(name, new ParameterLayout(spec).size(), 2, seconds);
    }
}
