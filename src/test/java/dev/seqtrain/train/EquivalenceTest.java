package dev.seqtrain.train;

import dev.seqtrain.data.Batcher;
import dev.seqtrain.data.SequenceExample;
import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.Initializer;
import dev.seqtrain.nn.LearningRateSchedule;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.Network;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Optimizer;
import dev.seqtrain.nn.OptimizerKind;
import dev.seqtrain.nn.OptimizerState;
import dev.seqtrain.nn.RecurrentState;
import dev.seqtrain.nn.Task;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distributed trainer against single-process training: one worker is the same computation bit
 * for bit; averaging after every step with plain SGD is one step on the combined batch; workers
 * without data change nothing.
 */
class EquivalenceTest {
    private static JavaSparkContext sc;

    @BeforeAll
    static void spark() {
        sc = dev.seqtrain.LocalSpark.start("equivalence");
    }

    @AfterAll
    static void stop() {
        sc.close();
    }

    /** Next-token sequences of the given lengths (0 = random lengths 3..9). */
    private static List<Tuple2<Long, SequenceExample>> sequences(int count, int fixedLength, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Tuple2<Long, SequenceExample>> examples = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            int length = fixedLength > 0 ? fixedLength : 3 + rng.nextInt(7);
            int[] tokens = new int[length];
            int[] targets = new int[length];
            for (int t = 0; t < length; t++) {
                tokens[t] = rng.nextInt(5);
                targets[t] = (tokens[t] + 1) % 5;
            }
            examples.add(new Tuple2<>(i, new SequenceExample(length, null, tokens, SequenceExample.NO_LABEL, targets, null)));
        }
        return examples;
    }

    private static TrainerSettings settings(int workers, List<Integer> k, Optimizer opt, float lr, double clip, int batch) {
        return new TrainerSettings(3, batch, workers, k, false, true, LearningRateScaling.NONE, opt,
                LearningRateSchedule.constant(lr), clip, 0, 17, 0, 1, 1, 8, 1f);
    }

    private static ModelState train(NetworkSpec spec, TrainerSettings s, List<Tuple2<Long, SequenceExample>> examples,
                                    ModelState start, int epochs) {
        JavaPairRDD<Long, SequenceExample> rdd = JavaPairRDD.fromJavaRDD(sc.parallelize(examples, 3));
        ParameterAveragingTrainer trainer = new ParameterAveragingTrainer(sc, spec, s, rdd, null);
        ModelState state = start;
        for (int e = 0; e < epochs; e++) {
            for (int r = 0; r < trainer.roundsPerEpoch(e); r++) {
                state = trainer.round(state, e, r)._1();
            }
        }
        trainer.close();
        return state;
    }

    @Test
    void oneWorkerIsSingleProcessTrainingBitForBit() {
        NetworkSpec spec = new NetworkSpec(CellType.LSTM, 5, true, 12, 2, 5, Task.MANY_TO_MANY, LossKind.SOFTMAX_CROSS_ENTROPY, 0.2f);
        Optimizer adam = Optimizer.defaults(OptimizerKind.ADAM);
        List<Tuple2<Long, SequenceExample>> examples = sequences(40, 0, 3);
        // K=3 in the first epoch, then once per epoch: several rounds, a changing schedule, dropout and Adam.
        TrainerSettings s = settings(1, List.of(3, 0), adam, 0.01f, 1.0, 6);
        float[] init = Initializer.initialize(spec, 5, 1f);
        ModelState distributed = train(spec, s, examples, new ModelState(init.clone(), adam.newState(init.length)), 3);

        // The same batches in the same order on one thread, with the dropout stream of each round: the
        // layout's chunks, the examples in key order, packed as the layout's plan draws them.
        PartitionLayout layout = new PartitionLayout(1, examples.size(), 0, 6, 64, s.seed());
        java.util.TreeMap<Long, SequenceExample> byKey = new java.util.TreeMap<>();
        examples.forEach(t -> byKey.put(layout.trainKey(t._1()), t._2()));
        java.util.Map<Integer, List<SequenceExample>> chunks = new java.util.TreeMap<>();
        byKey.forEach((key, e) -> chunks.computeIfAbsent(PartitionLayout.partitionOf(key), p -> new ArrayList<>()).add(e));
        LocalTrainer local = new LocalTrainer(spec, adam, s.schedule(), 1.0, 0);
        float[] params = init.clone();
        OptimizerState opt = adam.newState(params.length);
        int total = layout.batches(0);
        for (int epoch = 0; epoch < 3; epoch++) {
            int k = s.averagingFrequency(epoch) == 0 ? total : s.averagingFrequency(epoch);
            for (int round = 0; round * k < total; round++) {
                SplittableRandom dropout = new SplittableRandom(Seeds.mix(s.seed(), epoch, round, 0, 2));
                for (PartitionLayout.BatchRef ref : layout.plan(0, epoch, round * k, Math.min(total, (round + 1) * k))) {
                    List<SequenceExample> batch = new ArrayList<>();
                    for (int slot : ref.slots()) {
                        batch.add(chunks.get(ref.partition()).get(slot));
                    }
                    local.trainBatch(params, opt, Batcher.pack(batch, spec, true), dropout);
                }
            }
        }
        assertArrayEquals(params, distributed.params());
        assertEquals(opt.step, distributed.optimizer().step);
        for (int i = 0; i < opt.slots.length; i++) {
            assertArrayEquals(opt.slots[i], distributed.optimizer().slots[i]);
        }
    }

    @Test
    void averagingEveryStepWithPlainSgdIsOneStepOnTheCombinedBatch() {
        NetworkSpec spec = new NetworkSpec(CellType.GRU, 5, true, 10, 1, 5, Task.MANY_TO_MANY, LossKind.SOFTMAX_CROSS_ENTROPY, 0f);
        Optimizer sgd = new Optimizer(OptimizerKind.SGD, 0f, false, 0, 0, 0, 0, 0f);
        float lr = 0.5f;
        // 10 sequences of equal length over 3 workers (4, 3, 3 examples): each worker's batch is its whole
        // partition, K=1, so every epoch is one round; the average is weighted by examples.
        List<Tuple2<Long, SequenceExample>> examples = sequences(10, 6, 8);
        TrainerSettings s = settings(3, List.of(1), sgd, lr, 0, 4);
        float[] init = Initializer.initialize(spec, 9, 1f);
        ModelState distributed = train(spec, s, examples, new ModelState(init.clone(), sgd.newState(init.length)), 3);

        List<SequenceExample> all = new ArrayList<>();
        examples.forEach(t -> all.add(t._2()));
        MiniBatch combined = Batcher.pack(all, spec, true);
        Network net = new Network(spec);
        float[] expected = init.clone();
        for (int step = 0; step < 3; step++) {
            float[] grads = new float[expected.length];
            net.forwardBackward(expected, grads, combined, 0, combined.steps(),
                    new RecurrentState(1, combined.size(), spec.hidden()), null);
            for (int i = 0; i < expected.length; i++) {
                expected[i] -= lr * grads[i];
            }
        }
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double moved = Math.max(1e-3, Math.abs(expected[i] - init[i]));
            worst = Math.max(worst, Math.abs(expected[i] - distributed.params()[i]) / moved);
        }
        // Float rounding of the weighted sums only, relative to how far the parameter moved.
        assertEquals(0, worst, 1e-4, "worst difference relative to the update");
    }

    @Test
    void zeroBlockMomentumWithRateOneIsPlainAveragingBitForBit() {
        NetworkSpec spec = new NetworkSpec(CellType.LSTM, 5, true, 9, 1, 5, Task.MANY_TO_MANY, LossKind.SOFTMAX_CROSS_ENTROPY, 0f);
        Optimizer adam = Optimizer.defaults(OptimizerKind.ADAM);
        List<Tuple2<Long, SequenceExample>> examples = sequences(30, 0, 6);
        float[] init = Initializer.initialize(spec, 4, 1f);
        TrainerSettings plain = settings(3, List.of(2), adam, 0.01f, 1.0, 4);
        ModelState a = train(spec, plain, examples, new ModelState(init.clone(), adam.newState(init.length)), 2);
        ModelState b = train(spec, plain.withBlockMomentum(new BlockMomentum(0f, 1f, true)), examples,
                new ModelState(init.clone(), adam.newState(init.length)), 2);
        assertArrayEquals(a.params(), b.params());
        assertEquals(null, b.blockDelta());
    }

    /**
     * The trainer with block momentum against the BMUF recurrence written out here, each round's
     * average taken from a plain-averaging round started where the look-ahead says:
     * S = W + ζΔ, G = average(S) − S, Δ = ζΔ + ηG, W = W + Δ.
     */
    @Test
    void blockMomentumFollowsTheBmufRecurrence() {
        NetworkSpec spec = new NetworkSpec(CellType.GRU, 5, true, 9, 1, 5, Task.MANY_TO_MANY, LossKind.SOFTMAX_CROSS_ENTROPY, 0f);
        Optimizer adam = Optimizer.defaults(OptimizerKind.ADAM);
        List<Tuple2<Long, SequenceExample>> examples = sequences(30, 0, 7);
        float[] init = Initializer.initialize(spec, 4, 1f);
        float zeta = 0.6f;
        float eta = 0.9f;
        TrainerSettings plain = settings(3, List.of(2), adam, 0.01f, 1.0, 4);
        ModelState bmuf = train(spec, plain.withBlockMomentum(new BlockMomentum(zeta, eta, true)), examples,
                new ModelState(init.clone(), adam.newState(init.length)), 2);

        JavaPairRDD<Long, SequenceExample> rdd = JavaPairRDD.fromJavaRDD(sc.parallelize(examples, 3));
        ParameterAveragingTrainer averaging = new ParameterAveragingTrainer(sc, spec, plain, rdd, null);
        float[] w = init.clone();
        float[] delta = new float[w.length];
        OptimizerState opt = adam.newState(w.length);
        int rounds = 0;
        for (int e = 0; e < 2; e++) {
            for (int r = 0; r < averaging.roundsPerEpoch(e); r++, rounds++) {
                float[] start = new float[w.length];
                for (int i = 0; i < w.length; i++) {
                    start[i] = w[i] + zeta * delta[i];
                }
                ModelState avg = averaging.round(new ModelState(start, opt), e, r)._1();
                for (int i = 0; i < w.length; i++) {
                    delta[i] = zeta * delta[i] + eta * (avg.params()[i] - start[i]);
                    w[i] = w[i] + delta[i];
                }
                opt = avg.optimizer();
            }
        }
        averaging.close();
        assertTrue(rounds >= 4, "rounds: " + rounds);
        assertArrayEquals(w, bmuf.params());
        assertArrayEquals(delta, bmuf.blockDelta());
        assertArrayEquals(opt.slots[0], bmuf.optimizer().slots[0]);
    }

    @Test
    void workersWithoutDataChangeNothing() {
        NetworkSpec spec = new NetworkSpec(CellType.RNN, 5, true, 8, 1, 5, Task.MANY_TO_MANY, LossKind.SOFTMAX_CROSS_ENTROPY, 0f);
        Optimizer adam = Optimizer.defaults(OptimizerKind.ADAM);
        List<Tuple2<Long, SequenceExample>> examples = sequences(3, 0, 4);
        float[] init = Initializer.initialize(spec, 2, 1f);
        // Example i goes to partition i mod P: with P=5 partitions 3 and 4 stay empty, 0..2 hold what they hold with P=3.
        JavaPairRDD<Long, SequenceExample> rdd = JavaPairRDD.fromJavaRDD(sc.parallelize(examples, 2));
        ParameterAveragingTrainer five = new ParameterAveragingTrainer(sc, spec, settings(5, List.of(1), adam, 0.01f, 1, 2), rdd, null);
        assertEquals(2, five.emptyWorkers());
        five.close();
        ModelState withEmpty = train(spec, settings(5, List.of(1), adam, 0.01f, 1, 2), examples,
                new ModelState(init.clone(), adam.newState(init.length)), 2);
        ModelState without = train(spec, settings(3, List.of(1), adam, 0.01f, 1, 2), examples,
                new ModelState(init.clone(), adam.newState(init.length)), 2);
        assertArrayEquals(without.params(), withEmpty.params());
    }
}
