package dev.seqtrain.train;

import dev.seqtrain.data.IndexedExamples;
import dev.seqtrain.data.SequenceExample;
import dev.seqtrain.nn.LossSum;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.Network;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Optimizer;
import dev.seqtrain.nn.OptimizerState;
import dev.seqtrain.nn.RecurrentState;
import org.apache.spark.Partitioner;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.ShuffledRDD;
import org.apache.spark.storage.StorageLevel;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The Spark loop of synchronous parameter averaging, kept thin: the examples are placed once into
 * persisted chunks ({@link PartitionLayout}); each round broadcasts the state, runs {@link Round} on
 * every worker over the batches its plan draws from just the chunks they are in, streaming them, sums the
 * results in worker order and divides once on the driver.
 *
 * <p>Why not {@code treeAggregate}: it merges partial results in the order tasks finish, and float
 * addition is not associative, so two identical runs would end with different bytes. Instead the
 * results are summed in groups of {@code fanIn} consecutive partitions, each group in partition order
 * (one shuffle level per factor of fanIn, like treeAggregate's depth), and the last level on the
 * driver, also in order.
 */
public final class ParameterAveragingTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(ParameterAveragingTrainer.class);
    /** Test-only: makes the first attempt of the first task of the first round fail, to exercise retries. */
    public static final String FAIL_FIRST_ATTEMPT = "spark.seqtrain.test.failFirstAttempt";
    /** Test-only: failures injected in this JVM (local mode runs tasks in the driver's JVM). */
    public static final java.util.concurrent.atomic.AtomicInteger INJECTED_FAILURES = new java.util.concurrent.atomic.AtomicInteger();

    private final JavaSparkContext sc;
    private final NetworkSpec spec;
    private TrainerSettings settings;
    private final int workers;
    private final PartitionLayout layout;
    /** The examples, one persisted partition per chunk (see {@link PartitionLayout}), spilling to disk. */
    private final JavaRDD<byte[]> chunks;
    private final JavaRDD<Tuple2<Long, byte[]>> tagged;
    private final int emptyWorkers;

    /** How the placed examples are kept: Spark storage level and minibatches' worth of examples per chunk. */
    public record Placement(StorageLevel storageLevel, int chunkBatches) implements java.io.Serializable {
        public static final Placement DEFAULT = new Placement(StorageLevel.MEMORY_AND_DISK_SER(), 64);
    }

    /** Training (and validation) examples as keyed sets with keys 0..n-1, for tests and small tables. */
    public ParameterAveragingTrainer(JavaSparkContext sc, NetworkSpec spec, TrainerSettings settings,
                                     JavaPairRDD<Long, SequenceExample> train, JavaPairRDD<Long, SequenceExample> valid) {
        this(sc, spec, settings, IndexedExamples.of(train, valid, 4), Placement.DEFAULT);
    }

    public ParameterAveragingTrainer(JavaSparkContext sc, NetworkSpec spec, TrainerSettings settings, IndexedExamples data,
                                     Placement placement) {
        this.sc = sc;
        this.spec = spec;
        this.workers = settings.workers() > 0 ? settings.workers() : sc.defaultParallelism();
        setSettings(settings);
        this.layout = new PartitionLayout(workers, data.trainCount(), data.validCount(), settings.batchSize(),
                placement.chunkBatches(), settings.seed());
        this.chunks = place(data, layout).persist(placement.storageLevel());
        this.tagged = chunks.mapPartitionsWithIndex((pid, it) -> PlannedBatches.tag(pid, it), true);
        int empty = 0;
        for (int w = 0; w < workers; w++) {
            empty += layout.examples(w) == 0 ? 1 : 0;
        }
        this.emptyWorkers = empty;
        if (emptyWorkers > 0) {
            LOG.warn("{} of {} workers got no training data (more partitions than examples); they contribute nothing to the averages",
                    emptyWorkers, workers);
        }
        materialize();
    }

    /**
     * Replaces the settings for later rounds (same data and partitions), e.g. a lower learning rate.
     * The learning rate is scaled for the number of workers here, so callers always pass the user's.
     */
    public void setSettings(TrainerSettings settings) {
        this.settings = settings.withWorkerScaling(workers).withBlockMomentum(settings.blockMomentum().resolve(workers));
    }

    public int workers() {
        return workers;
    }

    public int emptyWorkers() {
        return emptyWorkers;
    }

    public PartitionLayout layout() {
        return layout;
    }

    /** Rounds in epoch {@code epoch} (0-based; K may change between epochs). */
    public int roundsPerEpoch(int epoch) {
        return Round.roundsPerEpoch(layout.maxBatches(), settings, epoch);
    }

    /**
     * Minibatch steps the largest worker takes in round {@code round} of {@code epoch}, at most
     * {@code maxBatches} (the run's remaining step budget): K, fewer in an epoch's last round.
     */
    public int batchesInRound(int epoch, int round, int maxBatches) {
        int k = Round.k(settings, epoch, layout.maxBatches());
        long left = (long) layout.maxBatches() - (long) round * k;
        return (int) Math.max(0, Math.min(Math.min(k, maxBatches), left));
    }

    /**
     * Places the examples once: each goes to its chunk by its ordinal's key (a shuffle in our own record
     * format, sorted serialized on the map side and spilled as needed), and a chunk's examples are kept
     * in slot order, as their compact bytes. Rounds pack them into minibatches as their plans say. A
     * chunk is small by construction.
     */
    private static JavaRDD<byte[]> place(IndexedExamples data, PartitionLayout layout) {
        JavaPairRDD<Long, byte[]> keyed = data.keyed().mapToPair(t -> new Tuple2<>(t._1() >= 0 ? layout.trainKey(t._1())
                : layout.validKey(IndexedExamples.validOrdinal(t._1())), t._2()));
        ClassTag<Long> longTag = ClassTag$.MODULE$.apply(Long.class);
        ClassTag<byte[]> bytesTag = ClassTag$.MODULE$.apply(byte[].class);
        ShuffledRDD<Long, byte[], byte[]> shuffled = new ShuffledRDD<>(keyed.rdd(), new KeyPartitioner(layout.partitions()),
                longTag, bytesTag, bytesTag);
        shuffled.setSerializer(new KeyedBytesSerializer());
        return JavaPairRDD.fromRDD(shuffled, longTag, bytesTag).mapPartitions(it -> {
            // One chunk: a bounded number of examples, sorted by slot here rather than by Spark's object sorter.
            List<Tuple2<Long, byte[]>> chunk = new ArrayList<>();
            it.forEachRemaining(chunk::add);
            chunk.sort(Comparator.comparingLong(Tuple2::_1));
            return chunk.stream().map(Tuple2::_2).iterator();
        }, true);
    }

    /** Partition = the key's high half (the layout's chunk). */
    static final class KeyPartitioner extends Partitioner {
        private final int partitions;

        KeyPartitioner(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return PartitionLayout.partitionOf((Long) key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeyPartitioner p && p.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return partitions;
        }
    }

    /**
     * Computes and persists every chunk, one task per chunk (a task that read many shuffle partitions
     * would hold each one's sort buffers until it ended), and checks the example count against the layout.
     */
    private void materialize() {
        long got = chunks.count();
        if (got != layout.totalExamples()) {
            throw new IllegalStateException("the persisted chunks hold " + got + " examples, the layout expects "
                    + layout.totalExamples());
        }
    }

    /** The validation chunks in at most {@code workers} contiguous groups. */
    private List<int[]> validGroups() {
        List<int[]> groups = new ArrayList<>();
        int n = layout.validPartitions();
        int per = (n + workers - 1) / workers;
        for (int from = 0; from < n; from += per) {
            int[] g = new int[Math.min(per, n - from)];
            for (int i = 0; i < g.length; i++) {
                g[i] = layout.validPartition(from + i);
            }
            groups.add(g);
        }
        return groups;
    }

    /** The tagged batches of the given partition groups, one task per group, each near its first chunk. */
    private JavaRDD<Tuple2<Long, byte[]>> grouped(List<int[]> groups) {
        List<String> locations = new ArrayList<>();
        for (int[] g : groups) {
            String where = null;
            if (g.length > 0) {
                var locs = sc.sc().getPreferredLocs(chunks.rdd(), g[0]);
                where = locs.isEmpty() ? null : locs.head().toString();
            }
            locations.add(where);
        }
        var coalesced = tagged.rdd().coalesce(groups.size(), false, scala.Option.apply(new ChunkGroups(groups, locations)), null);
        return JavaRDD.fromRDD(coalesced, tagged.classTag());
    }

    /** Timings and totals of one round, for the metrics. */
    public record RoundStats(long broadcastNanos, long computeNanos, long driverNanos,
                             long computeMaxNanos, long computeMeanNanos, LossSum loss, long examples, long timesteps,
                             List<WorkerInfo> workers, java.util.Collection<JvmMemory> executorMemory) {
    }

    /** Runs one round; returns the new state (the input state is not modified). */
    public Tuple2<ModelState, RoundStats> round(ModelState state, int epoch, int round) {
        return round(state, epoch, round, Integer.MAX_VALUE);
    }

    /**
     * Runs one round, each worker training at most {@code maxBatches} of the round's batches (a run's
     * step budget can end mid-round); returns the new state (the input state is not modified).
     */
    public Tuple2<ModelState, RoundStats> round(ModelState state, int epoch, int round, int maxBatches) {
        long t0 = System.nanoTime();
        BlockMomentum blocks = settings.blockMomentum();
        float[] start = blocks.roundStart(state.params(), state.blockDelta());
        Broadcast<ModelState> bc = sc.broadcast(start == state.params() ? state : new ModelState(start, state.optimizer()));
        long t1 = System.nanoTime();
        NetworkSpec sp = spec;
        TrainerSettings s = settings;
        int from = round * Round.k(s, epoch, layout.maxBatches());
        int to = from + batchesInRound(epoch, round, maxBatches);
        PartitionLayout lay = layout;
        // The driver needs only which chunks each worker reads; the task derives its plan itself (a plan
        // of a whole epoch can be a million entries, not worth shipping).
        List<int[]> groups = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            groups.add(lay.partitionsRead(w, epoch, from, to));
        }
        JavaPairRDD<Integer, RoundResult> results = grouped(groups).mapPartitionsWithIndex((pid, it) -> {
            failFirstAttemptIfAsked(pid, epoch, round);
            PlannedBatches batches = new PlannedBatches(it, lay.plan(pid, epoch, from, to), sp);
            RoundResult r = s.averageGradients()
                    ? Round.gradient(sp, s, bc.value(), batches.hasNext() ? batches.next() : null, epoch, round, pid)
                    : Round.train(sp, s, bc.value(), batches, epoch, round, pid);
            return List.of(new Tuple2<>(pid, r)).iterator();
        }, true).mapToPair(t -> t);
        RoundResult total = sumInPartitionOrder(results, settings.fanIn());
        long t2 = System.nanoTime();
        bc.destroy();
        ModelState next = apply(state, start, total);
        long t3 = System.nanoTime();
        int contributing = Math.max(1, total.workersWithData);
        RoundStats stats = new RoundStats(t1 - t0, t2 - t1, t3 - t2, total.computeNanosMax,
                total.computeNanosSum / contributing, total.loss, total.examples, total.timesteps, total.workers,
                total.memory.values());
        return new Tuple2<>(next, stats);
    }

    private static void failFirstAttemptIfAsked(int pid, int epoch, int round) {
        SparkEnv env = SparkEnv.get();
        TaskContext ctx = TaskContext.get();
        if (env != null && ctx != null && pid == 0 && epoch == 0 && round == 0 && ctx.attemptNumber() == 0
                && env.conf().getBoolean(FAIL_FIRST_ATTEMPT, false)) {
            INJECTED_FAILURES.incrementAndGet();
            throw new IllegalStateException("injected failure of the first attempt (" + FAIL_FIRST_ATTEMPT + ")");
        }
    }

    private ModelState apply(ModelState state, float[] start, RoundResult total) {
        if (total.weighted == null) {
            return state;   // no worker had data for this round
        }
        if (settings.averageGradients()) {
            float[] params = state.params().clone();
            OptimizerState opt = state.optimizer().copy();
            float[] grads = total.average();
            Optimizer.clipGlobalNorm(grads, settings.clipNorm());
            settings.optimizer().step(params, grads, opt, settings.schedule().rate(opt.step));
            return new ModelState(params, opt);
        }
        BlockMomentum blocks = settings.blockMomentum();
        float[] delta = blocks.isPlainAveraging() ? null
                : state.blockDelta() == null ? new float[state.params().length] : state.blockDelta().clone();
        float[] params = blocks.apply(state.params(), start, total.average(), delta);
        OptimizerState opt;
        if (settings.averageOptimizerState()) {
            opt = new OptimizerState(total.averageState(), total.optimizerSteps);
        } else {
            opt = settings.optimizer().newState(params.length);
            opt.step = total.optimizerSteps;
        }
        return new ModelState(params, opt, delta);
    }

    /** Sums per-partition results in partition order, in levels of {@code fanIn} (see the class comment). */
    public static RoundResult sumInPartitionOrder(JavaPairRDD<Integer, RoundResult> results, int fanIn) {
        JavaPairRDD<Integer, RoundResult> level = results;
        int groups = level.getNumPartitions();
        while (groups > fanIn) {
            int next = (groups + fanIn - 1) / fanIn;
            level = level.mapToPair(t -> new Tuple2<>(t._1() / fanIn, t))
                    .groupByKey(next)
                    .mapToPair(g -> {
                        List<Tuple2<Integer, RoundResult>> members = new ArrayList<>();
                        g._2().forEach(members::add);
                        members.sort(Comparator.comparingInt(Tuple2::_1));
                        RoundResult sum = new RoundResult();
                        for (Tuple2<Integer, RoundResult> m : members) {
                            sum.add(m._2());
                        }
                        return new Tuple2<>(g._1(), sum);
                    });
            groups = next;
        }
        List<Tuple2<Integer, RoundResult>> last = new ArrayList<>(level.collect());
        last.sort(Comparator.comparingInt(Tuple2::_1));
        RoundResult total = new RoundResult();
        for (Tuple2<Integer, RoundResult> t : last) {
            total.add(t._2());
        }
        return total;
    }

    /** Validation loss (whole sequences, no dropout), summed per group of chunks in order, one batch at a time. */
    public LossSum evaluate(float[] params) {
        List<int[]> groups = validGroups();
        if (groups.isEmpty()) {
            return null;
        }
        Broadcast<float[]> bc = sc.broadcast(params);
        NetworkSpec sp = spec;
        TrainerSettings s = settings;
        int batchSize = layout.batchSize();
        List<LossSum> parts = grouped(groups).mapPartitions(it -> {
            Network net = Round.trainerFor(sp, s).network();   // the executor thread's workspaces, reused
            LossSum sum = LossSum.ZERO;
            ConsecutiveBatches batches = new ConsecutiveBatches(it, batchSize, sp);
            while (batches.hasNext()) {
                MiniBatch mb = batches.next();
                sum = sum.plus(net.evaluate(bc.value(), mb, 0, mb.steps(), new RecurrentState(sp.layers(), mb.size(), sp.hidden())));
            }
            return List.of(sum).iterator();
        }).collect();
        bc.destroy();
        LossSum total = LossSum.ZERO;
        for (LossSum p : parts) {
            total = total.plus(p);
        }
        return total;
    }

    /** Releases the persisted examples. */
    public void close() {
        chunks.unpersist(true);
    }
}
