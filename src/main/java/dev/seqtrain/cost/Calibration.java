package dev.seqtrain.cost;

import dev.seqtrain.train.CommunicationProbe;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The cost model's constants, measured on a running Spark with the trainer's own code paths:
 *
 * @param jobSeconds     an empty job of two tasks (submit, schedule, run, collect)
 * @param taskSeconds    each further task of a job (the driver launches them one after another)
 * @param stageSeconds   each further shuffle stage (a level of the aggregation tree)
 * @param bytesPerSecond serialisation, copy and deserialisation of state bytes, per endpoint
 * @param addsPerSecond  float additions of the weighted sum, one core
 */
public record Calibration(String where, double jobSeconds, double taskSeconds, double stageSeconds, double bytesPerSecond,
                          double addsPerSecond) {

    public static Calibration measure(JavaSparkContext sc, String where) {
        double job2 = CommunicationProbe.emptyJobSeconds(sc, 2, 21);
        double job32 = CommunicationProbe.emptyJobSeconds(sc, 32, 11);
        double task = Math.max(0, (job32 - job2) / 30);
        // A tree level: 16 partitions summed with fan-in 4 (one shuffle level) against fan-in 16 (none).
        double flat = CommunicationProbe.roundTripSeconds(sc, 16, 16, 16, 9);
        double oneLevel = CommunicationProbe.roundTripSeconds(sc, 16, 16, 4, 9);
        double stage = Math.max(0, oneLevel - flat - 4 * task);
        // Bytes: two partitions, 4M floats against 16: the state crosses 1 + 2 endpoints each way
        // (broadcast serialised once, two results serialised and read back), twice each (write, read).
        int n = 4 << 20;
        double small = CommunicationProbe.roundTripSeconds(sc, 16, 2, 8, 9);
        double large = CommunicationProbe.roundTripSeconds(sc, n, 2, 8, 7);
        double bytes = 2.0 * 3 * 4.0 * n / Math.max(1e-6, large - small);
        return new Calibration(where, job2, task, stage, bytes, measureAdds());
    }

    /** The weighted-sum loop of RoundResult.add on one core. */
    static double measureAdds() {
        int n = 4 << 20;
        float[] a = new float[n];
        float[] b = new float[n];
        java.util.Arrays.fill(b, 1.5f);
        long best = Long.MAX_VALUE;
        for (int r = 0; r < 15; r++) {
            long t0 = System.nanoTime();
            float w = 2f;
            for (int i = 0; i < n; i++) {
                a[i] += b[i] * w;
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        if (a[n / 2] == 0) {
            throw new IllegalStateException();   // keeps the loop from being optimised away
        }
        return n / (best / 1e9);
    }
}
