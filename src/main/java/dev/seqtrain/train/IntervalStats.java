package dev.seqtrain.train;

import dev.seqtrain.nn.LossSum;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What the rounds since the last evaluation added up to: losses, counts and where the time went. */
final class IntervalStats {
    final long startNanos = System.nanoTime();
    long broadcast;
    long compute;
    long computeSlowest;
    long computeMean;
    long driver;
    LossSum trainLoss = LossSum.ZERO;
    long examples;
    long timesteps;
    int rounds;
    final Set<WorkerInfo> executors = new LinkedHashSet<>();
    Collection<JvmMemory> executorMemory = List.of();

    void add(ParameterAveragingTrainer.RoundStats s) {
        broadcast += s.broadcastNanos();
        compute += s.computeNanos();
        computeSlowest += s.computeMaxNanos();
        computeMean += s.computeMeanNanos();
        driver += s.driverNanos();
        trainLoss = trainLoss.plus(s.loss());
        examples += s.examples();
        timesteps += s.timesteps();
        executors.addAll(s.workers());
        executorMemory = s.executorMemory();
        rounds++;
    }

    double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
