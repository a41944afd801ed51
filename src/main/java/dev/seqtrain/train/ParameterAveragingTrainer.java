package dev.seqtrain.train;

import dev.seqtrain.data.Batcher;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The Spark loop of synchronous parameter averaging, kept thin: each round broadcasts the state,
 * runs {@link Round} on every cached partition, sums the results in partition order and divides once
 * on the driver.
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
    private final JavaRDD<List<MiniBatch>> trainBatches;
    private final JavaRDD<List<MiniBatch>> validBatches;
    private final int maxBatches;
    private final int emptyWorkers;

    /** Partition i gets the examples with index ≡ i (mod workers): counts differ by at most one. */
    static final class IndexPartitioner extends Partitioner {
        private final int partitions;

        IndexPartitioner(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (int) Math.floorMod((Long) key, (long) partitions);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IndexPartitioner p && p.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return partitions;
        }
    }

    public ParameterAveragingTrainer(JavaSparkContext sc, NetworkSpec spec, TrainerSettings settings,
                                     JavaPairRDD<Long, SequenceExample> train, JavaPairRDD<Long, SequenceExample> valid) {
        this.sc = sc;
        this.spec = spec;
        this.workers = settings.workers() > 0 ? settings.workers() : sc.defaultParallelism();
        setSettings(settings);
        this.trainBatches = pack(train, true).cache();
        List<Integer> sizes = trainBatches.map(List::size).collect();
        this.maxBatches = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
        this.emptyWorkers = (int) sizes.stream().filter(n -> n == 0).count();
        if (emptyWorkers > 0) {
            LOG.warn("{} of {} workers got no training data (more partitions than examples); they contribute nothing to the averages",
                    emptyWorkers, workers);
        }
        this.validBatches = valid == null ? null : pack(valid, false).cache();
    }

    /**
     * Replaces the settings for later rounds (same data and partitions), e.g. a lower learning rate.
     * The learning rate is scaled for the number of workers here, so callers always pass the user's.
     */
    public void setSettings(TrainerSettings settings) {
        this.settings = settings.withLearningRateScale(settings.learningRateScaling().factor(workers));
    }

    public int workers() {
        return workers;
    }

    public int emptyWorkers() {
        return emptyWorkers;
    }

    /** Rounds in epoch {@code epoch} (0-based; K may change between epochs). */
    public int roundsPerEpoch(int epoch) {
        return Round.roundsPerEpoch(maxBatches, settings, epoch);
    }

    /**
     * Balanced partitions, each packed into mini-batches once: examples sorted by their global index
     * (a shuffle delivers them in no fixed order), shuffled with a seed derived from the partition,
     * cut into batches of train.batchSize.
     */
    private JavaRDD<List<MiniBatch>> pack(JavaPairRDD<Long, SequenceExample> examples, boolean shuffle) {
        NetworkSpec sp = spec;
        int batchSize = settings.batchSize();
        long seed = settings.seed();
        return examples.partitionBy(new IndexPartitioner(workers)).mapPartitionsWithIndex((pid, it) -> {
            List<Tuple2<Long, SequenceExample>> list = new ArrayList<>();
            it.forEachRemaining(list::add);
            list.sort(Comparator.comparingLong(Tuple2::_1));
            List<SequenceExample> inIndexOrder = new ArrayList<>(list.size());
            list.forEach(t -> inIndexOrder.add(t._2()));
            return List.of(packPartition(inIndexOrder, sp, batchSize, seed, pid, shuffle)).iterator();
        }, true);
    }

    /** One partition's examples (in global index order) shuffled with the partition's seed and cut into batches. */
    static List<MiniBatch> packPartition(List<SequenceExample> inIndexOrder, NetworkSpec spec, int batchSize, long seed,
                                         int partition, boolean shuffle) {
        List<SequenceExample> list = new ArrayList<>(inIndexOrder);
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, partition, 3));
            for (int i = list.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                SequenceExample t = list.get(i);
                list.set(i, list.get(j));
                list.set(j, t);
            }
        }
        List<MiniBatch> batches = new ArrayList<>();
        for (int from = 0; from < list.size(); from += batchSize) {
            batches.add(Batcher.pack(list.subList(from, Math.min(list.size(), from + batchSize)), spec, true));
        }
        return batches;
    }

    /** Timings and totals of one round, for the metrics. */
    public record RoundStats(long broadcastNanos, long computeNanos, long driverNanos,
                             long computeMaxNanos, long computeMeanNanos, LossSum loss, long examples, long timesteps,
                             List<WorkerInfo> workers, java.util.Collection<JvmMemory> executorMemory) {
    }

    /** Runs one round; returns the new state (the input state is not modified). */
    public Tuple2<ModelState, RoundStats> round(ModelState state, int epoch, int round) {
        long t0 = System.nanoTime();
        Broadcast<ModelState> bc = sc.broadcast(state);
        long t1 = System.nanoTime();
        NetworkSpec sp = spec;
        TrainerSettings s = settings;
        JavaPairRDD<Integer, RoundResult> results = trainBatches.mapPartitionsWithIndex((pid, it) -> {
            failFirstAttemptIfAsked(pid, epoch, round);
            List<MiniBatch> batches = it.next();
            RoundResult r = s.averageGradients()
                    ? Round.gradient(sp, s, bc.value(), batches, epoch, round, pid)
                    : Round.train(sp, s, bc.value(), batches, epoch, round, pid);
            return List.of(new Tuple2<>(pid, r)).iterator();
        }, true).mapToPair(t -> t);
        RoundResult total = sumInPartitionOrder(results, settings.fanIn());
        long t2 = System.nanoTime();
        bc.destroy();
        ModelState next = apply(state, total);
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

    private ModelState apply(ModelState state, RoundResult total) {
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
        float[] params = total.average();
        OptimizerState opt;
        if (settings.averageOptimizerState()) {
            opt = new OptimizerState(total.averageState(), total.optimizerSteps);
        } else {
            opt = settings.optimizer().newState(params.length);
            opt.step = total.optimizerSteps;
        }
        return new ModelState(params, opt);
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

    /** Validation loss (whole sequences, no dropout), summed per partition in partition order. */
    public LossSum evaluate(float[] params) {
        if (validBatches == null) {
            return null;
        }
        Broadcast<float[]> bc = sc.broadcast(params);
        NetworkSpec sp = spec;
        TrainerSettings s = settings;
        List<LossSum> parts = validBatches.map(batches -> {
            Network net = Round.trainerFor(sp, s).network();   // the executor thread's workspaces, reused
            LossSum sum = LossSum.ZERO;
            for (MiniBatch mb : batches) {
                sum = sum.plus(net.evaluate(bc.value(), mb, 0, mb.steps(), new RecurrentState(sp.layers(), mb.size(), sp.hidden())));
            }
            return sum;
        }).collect();
        bc.destroy();
        LossSum total = LossSum.ZERO;
        for (LossSum p : parts) {
            total = total.plus(p);
        }
        return total;
    }

    /** Releases the cached batches. */
    public void close() {
        trainBatches.unpersist();
        if (validBatches != null) {
            validBatches.unpersist();
        }
    }
}
