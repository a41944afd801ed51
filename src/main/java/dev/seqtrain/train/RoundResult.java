package dev.seqtrain.train;

import dev.seqtrain.nn.LossSum;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What workers send back from a round: parameters (and optimizer state) with the number of examples
 * the worker processed as their weight, or, for gradient averaging, the mean gradient of a batch
 * weighted by its output positions. Results add up as weighted sums; the driver divides once. A
 * result with a single contributor stays unscaled, so one worker reproduces single-process training
 * bit for bit.
 */
public final class RoundResult implements Serializable {
    /** Σ wᵢ·xᵢ, or x itself while there is a single contributor ({@code scaled} false). */
    transient float[] weighted;
    transient float[][] weightedState;
    boolean scaled;
    double weight;
    long optimizerSteps;
    LossSum loss = LossSum.ZERO;
    long examples;
    long timesteps;
    long computeNanosMax;
    long computeNanosSum;
    int workersWithData;
    final List<WorkerInfo> workers = new ArrayList<>();
    /** Memory of each JVM that ran a task of the round, by process id. */
    final java.util.TreeMap<Long, JvmMemory> memory = new java.util.TreeMap<>();

    static RoundResult empty(WorkerInfo who) {
        return new RoundResult().ranOn(who);
    }

    /** Records the executor that computed this result and its memory now; returns this. */
    RoundResult ranOn(WorkerInfo who) {
        workers.add(who);
        JvmMemory m = JvmMemory.sample();
        memory.put(m.pid(), m);
        return this;
    }

    /** Adds {@code o} into this (weighted elementwise sums); returns this. */
    RoundResult add(RoundResult o) {
        if (o.weighted != null) {
            if (weighted == null) {
                weighted = o.weighted.clone();
                weightedState = o.weightedState == null ? null : copy(o.weightedState);
                scaled = o.scaled;
            } else {
                scaleIfSingle(this);
                float w = o.scaled ? 1f : (float) o.weight;
                for (int i = 0; i < weighted.length; i++) {
                    weighted[i] += o.weighted[i] * w;
                }
                if (weightedState != null) {
                    for (int s = 0; s < weightedState.length; s++) {
                        for (int i = 0; i < weightedState[s].length; i++) {
                            weightedState[s][i] += o.weightedState[s][i] * w;
                        }
                    }
                }
            }
        }
        weight += o.weight;
        optimizerSteps = Math.max(optimizerSteps, o.optimizerSteps);
        loss = loss.plus(o.loss);
        examples += o.examples;
        timesteps += o.timesteps;
        computeNanosMax = Math.max(computeNanosMax, o.computeNanosMax);
        computeNanosSum += o.computeNanosSum;
        workersWithData += o.workersWithData;
        workers.addAll(o.workers);
        memory.putAll(o.memory);
        return this;
    }

    private static void scaleIfSingle(RoundResult r) {
        if (r.scaled) {
            return;
        }
        float w = (float) r.weight;
        for (int i = 0; i < r.weighted.length; i++) {
            r.weighted[i] *= w;
        }
        if (r.weightedState != null) {
            for (float[] s : r.weightedState) {
                for (int i = 0; i < s.length; i++) {
                    s[i] *= w;
                }
            }
        }
        r.scaled = true;
    }

    /** The weighted average of the parameters (or gradients): Σ wᵢ·xᵢ / Σ wᵢ. */
    float[] average() {
        return scaled ? divide(weighted, weight) : weighted.clone();
    }

    float[][] averageState() {
        if (weightedState == null) {
            return null;
        }
        float[][] r = new float[weightedState.length][];
        for (int i = 0; i < r.length; i++) {
            r[i] = scaled ? divide(weightedState[i], weight) : weightedState[i].clone();
        }
        return r;
    }

    private static float[] divide(float[] a, double w) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = (float) (a[i] / w);
        }
        return r;
    }

    private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
        out.defaultWriteObject();
        FloatArrays.write(out, weighted);
        FloatArrays.write(out, weightedState);
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        weighted = FloatArrays.read(in);
        weightedState = FloatArrays.readMatrix(in);
    }

    private static float[][] copy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
