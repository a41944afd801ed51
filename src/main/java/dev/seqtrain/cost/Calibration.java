package dev.seqtrain.cost;

import dev.seqtrain.train.CommunicationProbe;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The cost model's constants: latencies fitted by least squares to round trips measured on a running
 * Spark with the trainer's own code paths (broadcast, per-partition results, the ordered fan-in
 * tree); byte and addition speeds measured directly, because on loopback their share of a round trip
 * is too small next to the latencies for a fit to find them.
 *
 * @param jobSeconds     per round: submitting and finishing a job
 * @param waveSeconds    per wave of tasks through the calibration machine's slots (a task's round trip)
 * @param stageSeconds   per shuffle stage (a level of the aggregation tree)
 * @param bytesPerSecond Java serialisation (write, and read back) of a float array, per endpoint (measured directly)
 * @param addsPerSecond  float additions of the weighted sum, one core (measured directly)
 */
public record Calibration(String where, int slots, double jobSeconds, double waveSeconds, double stageSeconds,
                          double bytesPerSecond, double addsPerSecond) {

    /** A measured configuration: state floats, partitions, fan-in. */
    record Probe(int floats, int partitions, int fanIn) {
    }

    static final List<Probe> FIT = List.of(new Probe(16, 2, 8), new Probe(16, 8, 8), new Probe(16, 16, 4), new Probe(16, 16, 2),
            new Probe(1 << 20, 2, 8), new Probe(3 << 20, 2, 8), new Probe(1 << 20, 8, 2), new Probe(1 << 20, 16, 16));
    /** Held out: the fit never sees these. */
    static final List<Probe> CHECK = List.of(new Probe(2 << 20, 4, 8), new Probe(1 << 20, 8, 4), new Probe(2 << 20, 16, 4));

    /** The model's terms for a probe, without the link (loopback) and without compute: what the fit solves for. */
    static double[] features(Probe p, int slots) {
        int levels = CostModel.treeLevels(p.partitions(), p.fanIn());
        int last = CostModel.finalGroups(p.partitions(), p.fanIn());
        double s = 4.0 * p.floats();
        // job, waves of tasks, stages (as in CostModel.broadcastAndTree)
        return new double[] {1, CostModel.waves(p.partitions(), p.fanIn(), slots), levels};
    }

    /** State bytes the model charges a probe at the endpoints (as in CostModel.broadcastAndTree). */
    static double endpointBytes(Probe p) {
        int levels = CostModel.treeLevels(p.partitions(), p.fanIn());
        int last = CostModel.finalGroups(p.partitions(), p.fanIn());
        double s = 4.0 * p.floats();
        return 2 * s + s + (double) levels * p.fanIn() * s + (double) last * s;
    }

    /** Seconds of float additions the model charges a probe (known from measureAdds, subtracted before the fit). */
    static double addSeconds(Probe p, double addsPerSecond) {
        int levels = CostModel.treeLevels(p.partitions(), p.fanIn());
        int last = CostModel.finalGroups(p.partitions(), p.fanIn());
        return ((double) levels * p.fanIn() + last + 1) * p.floats() / addsPerSecond;
    }

    /** Measured seconds of each probe, then the fit. */
    public static Fitted measure(JavaSparkContext sc, String where) {
        double adds = measureAdds();
        double bytes = measureSerialization();
        int slots = sc.defaultParallelism();
        List<double[]> rows = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        for (Probe p : FIT) {
            rows.add(features(p, slots));
            seconds.add(CommunicationProbe.roundTripSeconds(sc, p.floats(), p.partitions(), p.fanIn(), 7) - addSeconds(p, adds)
                    - endpointBytes(p) / bytes);
        }
        double[] x = LeastSquares.nonNegative(rows, seconds);
        Calibration c = new Calibration(where, slots, x[0], x[1], x[2], bytes, adds);
        List<double[]> checks = new ArrayList<>();
        for (Probe p : CHECK) {
            double measured = CommunicationProbe.roundTripSeconds(sc, p.floats(), p.partitions(), p.fanIn(), 7);
            CostModel.Round r = CostModel.broadcastAndTree(c, new CostModel.Workload("probe", p.floats(), 0, 0),
                    new CostModel.Cluster(p.partitions(), slots, Double.POSITIVE_INFINITY, 0, p.fanIn(), 0), 0);
            checks.add(new double[] {p.floats(), p.partitions(), p.fanIn(), measured, r.total()});
        }
        return new Fitted(c, checks);
    }

    /** The calibration and its held-out checks: {floats, partitions, fan-in, measured s, model s}. */
    public record Fitted(Calibration calibration, List<double[]> checks) {
    }

    /** Bytes per second of writing a 4M-float array with Java serialisation and reading it back, per endpoint. */
    static double measureSerialization() {
        float[] state = new float[4 << 20];
        java.util.Arrays.fill(state, 0.25f);
        long best = Long.MAX_VALUE;
        try {
            for (int r = 0; r < 7; r++) {
                long t0 = System.nanoTime();
                java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream(17 << 20);
                try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(buffer)) {
                    out.writeObject(state);
                }
                // Our own bytes, just written in memory: the round trip Spark makes with a task result.
                try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(buffer.toByteArray()))) {
                    if (((float[]) in.readObject()).length != state.length) {
                        throw new IllegalStateException("lost values");
                    }
                }
                best = Math.min(best, System.nanoTime() - t0);
            }
        } catch (java.io.IOException | ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return 2 * 4.0 * state.length / (best / 1e9);   // two endpoints: the writer's half and the reader's
    }

    /** The weighted-sum loop of RoundResult.add on one core, after the JIT compiled it. */
    static double measureAdds() {
        int n = 4 << 20;
        float[] a = new float[n];
        float[] b = new float[n];
        java.util.Arrays.fill(b, 1.5f);
        float[] small = new float[4096];
        for (int r = 0; r < 20_000; r++) {
            addScaled(small, small, 0.5f);     // compiles addScaled before it is timed
        }
        long best = Long.MAX_VALUE;
        for (int r = 0; r < 15; r++) {
            long t0 = System.nanoTime();
            addScaled(a, b, 2f);
            best = Math.min(best, System.nanoTime() - t0);
        }
        if (a[n / 2] == 0) {
            throw new IllegalStateException();   // keeps the loop from being optimised away
        }
        return n / (best / 1e9);
    }

    private static void addScaled(float[] into, float[] x, float w) {
        for (int i = 0; i < into.length; i++) {
            into[i] += x[i] * w;
        }
    }
}
