package dev.seqtrain.cost;

/**
 * Time per synchronous round as a function of the model, the cluster and the averaging frequency,
 * for seqtrain's design (broadcast of the state, K local minibatches, results summed in a tree of
 * fan-in f, one division on the driver) and for the alternative, a ring all-reduce inside one
 * long-lived barrier stage. Every term is an idealisation, stated where it is computed; the
 * constants come from {@link Calibration}, measured on a real Spark.
 *
 * <p>S = bytes of the state sent each way: 4·n·(1 + optimizer slots) for n parameters.
 */
public final class CostModel {
    private CostModel() {
    }

    /** What is trained: parameters, optimizer slots averaged with them, seconds per minibatch on one core. */
    public record Workload(String name, long params, int optimizerSlots, double minibatchSeconds) {
        double stateBytes() {
            return 4.0 * params * (1 + optimizerSlots);
        }
    }

    /**
     * The cluster: executors, task slots (one per executor on a real cluster; the calibration machine's
     * cores for its probes), link bandwidth in bytes/s, per-message latency, tree fan-in, and the
     * driver's own cost per task launched (which two slots cannot separate from a wave's latency, so it
     * is an assumption of the prediction, not a fitted constant).
     */
    public record Cluster(int executors, int slots, double bandwidth, double messageLatency, int fanIn, double driverTaskSeconds) {
        public static Cluster ofExecutors(int executors, double bandwidth, double messageLatency, int fanIn, double driverTaskSeconds) {
            return new Cluster(executors, executors, bandwidth, messageLatency, fanIn, driverTaskSeconds);
        }
    }

    /** Seconds per round, by term. */
    public record Round(double compute, double scheduling, double broadcast, double aggregation, double driver) {
        public double total() {
            return compute + scheduling + broadcast + aggregation + driver;
        }

        public double communicationShare() {
            return 1 - compute / total();
        }
    }

    /** Shuffle levels of the fan-in tree before the driver's final sum (as ParameterAveragingTrainer does it). */
    static int treeLevels(int partitions, int fanIn) {
        int levels = 0;
        int groups = partitions;
        while (groups > fanIn) {
            groups = (groups + fanIn - 1) / fanIn;
            levels++;
        }
        return levels;
    }

    /** Groups reaching the driver after the tree. */
    static int finalGroups(int partitions, int fanIn) {
        int groups = partitions;
        while (groups > fanIn) {
            groups = (groups + fanIn - 1) / fanIn;
        }
        return groups;
    }

    /** Tasks of a round: one per partition, plus one per group at every tree level. */
    static int tasks(int partitions, int fanIn) {
        int tasks = partitions;
        for (int g = partitions; g > fanIn; ) {
            g = (g + fanIn - 1) / fanIn;
            tasks += g;
        }
        return tasks;
    }

    /** Waves of tasks through {@code slots} parallel slots, summed over the round's stages. */
    static int waves(int partitions, int fanIn, int slots) {
        int waves = (partitions + slots - 1) / slots;
        for (int g = partitions; g > fanIn; ) {
            g = (g + fanIn - 1) / fanIn;
            waves += (g + slots - 1) / slots;
        }
        return waves;
    }

    /** seqtrain's round: broadcast + K local minibatches + tree aggregation + driver division. */
    public static Round broadcastAndTree(Calibration c, Workload w, Cluster cl, int k) {
        double s = w.stateBytes();
        int p = cl.executors();
        int f = cl.fanIn();
        int levels = treeLevels(p, f);
        int last = finalGroups(p, f);
        double floats = w.params() * (1.0 + w.optimizerSlots());
        // Scheduling: one job, a stage per tree level, a latency per wave of tasks (all fitted), and the
        // driver's launch cost per task (assumed).
        double scheduling = c.jobSeconds() + levels * c.stageSeconds() + waves(p, f, cl.slots()) * c.waveSeconds()
                + tasks(p, f) * cl.driverTaskSeconds();
        // Torrent broadcast, 4 MB blocks relayed between executors: pipelined over ⌈log2 P⌉ hops.
        double block = Math.min(s, 4 << 20);
        double hops = Math.ceil(Math.log(p) / Math.log(2));
        double broadcast = 2 * s / c.bytesPerSecond() + s / cl.bandwidth() + hops * (block / cl.bandwidth() + cl.messageLatency());
        // Tree: every level's reducers receive f states on their own link (in parallel) and add them;
        // the driver receives the last groups on its link. Serialisation once per hop at each end.
        double perHop = s / cl.bandwidth() + s / c.bytesPerSecond() + floats / c.addsPerSecond() + cl.messageLatency();
        double aggregation = s / c.bytesPerSecond() + levels * f * perHop + last * perHop;
        double driver = floats / c.addsPerSecond();
        return new Round(k * w.minibatchSeconds(), scheduling, broadcast, aggregation, driver);
    }

    /**
     * Ring all-reduce among P tasks of one barrier stage that lives for the whole run: no job or
     * broadcast per round; reduce-scatter + all-gather move 2·(P−1)/P·S per task over its link in
     * 2·(P−1) messages (Patarasuk and Yuan's bandwidth-optimal bound).
     */
    public static Round ringAllReduce(Calibration c, Workload w, Cluster cl, int k) {
        double s = w.stateBytes();
        int p = cl.executors();
        double floats = w.params() * (1.0 + w.optimizerSlots());
        double share = 2.0 * (p - 1) / p;
        double comm = share * s / cl.bandwidth() + 2.0 * (p - 1) * cl.messageLatency() + share * s / c.bytesPerSecond()
                + share / 2 * floats / c.addsPerSecond();
        return new Round(k * w.minibatchSeconds(), 0, 0, comm, 0);
    }
}
