package dev.seqtrain.train;

import dev.seqtrain.nn.LossSum;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.Network;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.OptimizerState;
import dev.seqtrain.nn.RecurrentState;

import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One worker's part of a round, a pure function of (state in, the partition's batches, seed, epoch,
 * round, partition): which batches to train on, local training from the broadcast state, and the
 * result weighted for averaging. The same inputs give the same bytes, so a retried task returns
 * exactly what the failed attempt would have.
 */
public final class Round {
    private Round() {
    }

    /**
     * One trainer per executor thread and configuration, reused across rounds: its workspaces (tens of
     * megabytes for a large batch) would otherwise be reallocated every round and churn the old
     * generation. It holds no state between batches, so reuse cannot change a result. The cache keeps
     * the few most recent configurations only: a CrossValidator's many fits in one executor must not
     * pile up workspaces.
     */
    static final int CACHED_TRAINERS = 4;

    private record TrainerKey(TrainerSettings settings, NetworkSpec spec) {
    }

    private static final ThreadLocal<Map<TrainerKey, LocalTrainer>> TRAINERS = ThreadLocal.withInitial(
            () -> new LinkedHashMap<>(8, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<TrainerKey, LocalTrainer> eldest) {
                    return size() > CACHED_TRAINERS;
                }
            });

    static LocalTrainer trainerFor(NetworkSpec spec, TrainerSettings s) {
        return TRAINERS.get().computeIfAbsent(new TrainerKey(s, spec),
                k -> new LocalTrainer(spec, s.optimizer(), s.schedule(), s.clipNorm(), s.tbptt()));
    }

    /** Trainers cached by this thread (for tests). */
    static int cachedTrainers() {
        return TRAINERS.get().size();
    }

    /** Minibatches per round in an epoch whose largest worker holds {@code maxBatches} (1 when averaging gradients). */
    static int k(TrainerSettings s, int epoch, int maxBatches) {
        if (s.averageGradients()) {
            return 1;
        }
        return s.averagingFrequency(epoch) <= 0 ? Math.max(1, maxBatches) : s.averagingFrequency(epoch);
    }

    /** Rounds in an epoch when the largest partition holds {@code maxBatches} batches. */
    static int roundsPerEpoch(int maxBatches, TrainerSettings s, int epoch) {
        int k = k(s, epoch, maxBatches);
        return (maxBatches + k - 1) / k;
    }

    /** Parameter averaging: local steps from the broadcast state over the round's batches, in order. */
    static RoundResult train(NetworkSpec spec, TrainerSettings s, ModelState start, Iterator<MiniBatch> batches, int epoch,
                             int round, int partition) {
        long t0 = System.nanoTime();
        WorkerInfo who = WorkerInfo.current();
        if (!batches.hasNext()) {
            return RoundResult.empty(who);
        }
        float[] params = start.params().clone();
        OptimizerState opt = s.averageOptimizerState() ? start.optimizer().copy() : s.optimizer().newState(params.length);
        if (!s.averageOptimizerState()) {
            opt.step = start.optimizer().step;
        }
        LocalTrainer trainer = trainerFor(spec, s);
        SplittableRandom dropout = new SplittableRandom(Seeds.mix(s.seed(), epoch, round, partition, 2));
        LossSum loss = LossSum.ZERO;
        long examples = 0;
        long timesteps = 0;
        while (batches.hasNext()) {
            MiniBatch mb = batches.next();
            loss = loss.plus(trainer.trainBatch(params, opt, mb, dropout));
            examples += mb.size();
            timesteps += mb.realSteps();
        }
        RoundResult r = new RoundResult();
        r.weight = examples;
        r.weighted = params;
        if (s.averageOptimizerState()) {
            r.weightedState = opt.slots;
        }
        r.optimizerSteps = opt.step;
        return finish(r, loss, examples, timesteps, t0, who);
    }

    /** Gradient averaging: the gradient of one batch at the broadcast parameters, weighted by its positions. */
    static RoundResult gradient(NetworkSpec spec, TrainerSettings s, ModelState start, MiniBatch mb, int epoch,
                                int round, int partition) {
        long t0 = System.nanoTime();
        WorkerInfo who = WorkerInfo.current();
        if (mb == null) {
            return RoundResult.empty(who);
        }
        Network net = trainerFor(spec, s).network();
        float[] grads = new float[start.params().length];
        SplittableRandom dropout = new SplittableRandom(Seeds.mix(s.seed(), epoch, round, partition, 2));
        LossSum loss = net.forwardBackward(start.params(), grads, mb, 0, mb.steps(),
                new RecurrentState(spec.layers(), mb.size(), spec.hidden()), dropout);
        RoundResult r = new RoundResult();
        r.weight = loss.positions();
        r.weighted = grads;
        return finish(r, loss, mb.size(), mb.realSteps(), t0, who);
    }

    private static RoundResult finish(RoundResult r, LossSum loss, long examples, long timesteps, long startNanos, WorkerInfo who) {
        r.loss = loss;
        r.examples = examples;
        r.timesteps = timesteps;
        r.workersWithData = 1;
        long nanos = System.nanoTime() - startNanos;
        r.computeNanosMax = nanos;
        r.computeNanosSum = nanos;
        return r.ranOn(who);
    }
}
