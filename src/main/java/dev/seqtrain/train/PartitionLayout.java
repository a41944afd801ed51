package dev.seqtrain.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where every example lives between rounds, decided from its ordinal alone. Training example t goes to
 * worker {@code t mod W} (so workers differ by one example at most), at a shuffled position in that
 * worker's sequence ({@link Permutation}, seeded per worker); positions are cut into chunks of
 * {@code chunkBatches} minibatches' worth of examples, each chunk one persisted Spark partition whose
 * records are its examples in slot order.
 *
 * <p>An epoch visits a worker's chunks in a seeded order and draws each chunk's batches afresh from a
 * seeded shuffle of its examples, so a round reads only the chunks its K batches are in and holds at
 * most one chunk's examples, and no two epochs train on the same batches. With one chunk per worker
 * this is exactly a reshuffle of the worker's examples every epoch, as a single-process data loader
 * does; with many, a shuffle within a window of one chunk. Drawing batches once and reshuffling only
 * their order cost 1.4% validation loss on per-step multi-label against PyTorch's reshuffle.
 */
public final class PartitionLayout implements Serializable {
    private final int workers;
    private final long trainCount;
    private final long validCount;
    private final int batchSize;
    private final int chunkExamples;
    private final int maxChunks;
    private final long seed;
    /** Each worker's shuffle of its examples' positions (one per worker, not one per example looked up). */
    private final Permutation[] positions;

    public PartitionLayout(int workers, long trainCount, long validCount, int batchSize, int chunkBatches, long seed) {
        this.workers = workers;
        this.trainCount = trainCount;
        this.validCount = validCount;
        this.batchSize = batchSize;
        // A whole number of batches per chunk, so that only a worker's last chunk ends in a partial batch.
        long largest = (Integer.MAX_VALUE / 2 / batchSize) * (long) batchSize;
        this.chunkExamples = (int) Math.min(largest, (long) chunkBatches * batchSize);
        this.maxChunks = (int) Math.max(1, (examples(0) + chunkExamples - 1) / chunkExamples);
        this.seed = seed;
        this.positions = new Permutation[workers];
        for (int w = 0; w < workers; w++) {
            positions[w] = new Permutation(examples(w), Seeds.mix(seed, w, 7));
        }
    }

    public int workers() {
        return workers;
    }

    /** Training examples of worker w. */
    public long examples(int w) {
        return trainCount / workers + (w < trainCount % workers ? 1 : 0);
    }

    public int batches(int w) {
        return (int) ((examples(w) + batchSize - 1) / batchSize);
    }

    public int maxBatches() {
        return batches(0);
    }

    int chunks(int w) {
        return (int) ((examples(w) + chunkExamples - 1) / chunkExamples);
    }

    int examplesInChunk(int w, int c) {
        return (int) Math.min(chunkExamples, examples(w) - (long) c * chunkExamples);
    }

    int batchesInChunk(int w, int c) {
        return (examplesInChunk(w, c) + batchSize - 1) / batchSize;
    }

    /** Persisted partitions: every worker's chunk slots, then the validation chunks. */
    public int partitions() {
        return workers * maxChunks + validPartitions();
    }

    public int trainPartition(int w, int c) {
        return w * maxChunks + c;
    }

    public int validPartitions() {
        return (int) ((validCount + chunkExamples - 1) / chunkExamples);
    }

    /** Training and validation examples: the records of all persisted partitions. */
    public long totalExamples() {
        return trainCount + validCount;
    }

    public int validPartition(int i) {
        return workers * maxChunks + i;
    }

    public int batchSize() {
        return batchSize;
    }

    /** The shuffle key of training example t: partition in the high half, slot in the chunk in the low half. */
    public long trainKey(long t) {
        int w = (int) (t % workers);
        long pos = positions[w].apply(t / workers);
        return ((long) trainPartition(w, (int) (pos / chunkExamples)) << 32) | (pos % chunkExamples);
    }

    /** The shuffle key of validation example v (kept in input order). */
    public long validKey(long v) {
        return ((long) validPartition((int) (v / chunkExamples)) << 32) | (v % chunkExamples);
    }

    public static int partitionOf(long key) {
        return (int) (key >>> 32);
    }

    /** One batch of a round: which persisted partition, and the slots there of its examples, in batch order. */
    public record BatchRef(int partition, int[] slots) implements Serializable {
    }

    /**
     * The batches worker w trains at epoch positions [from, to) (clipped to its batches), in order. A
     * chunk's batches in an epoch are consecutive runs of a shuffle of its slots, so only the chunk's
     * last batch can be partial.
     */
    public List<BatchRef> plan(int w, int epoch, int from, int to) {
        List<BatchRef> out = new ArrayList<>();
        visit(w, epoch, from, to, (c, lo, hi) -> {
            int n = examplesInChunk(w, c);
            int[] slots = shuffled(n, Seeds.mix(seed, epoch, w, c, 4));
            for (int i = lo; i < hi; i++) {
                out.add(new BatchRef(trainPartition(w, c),
                        Arrays.copyOfRange(slots, i * batchSize, Math.min(n, (i + 1) * batchSize))));
            }
        });
        return out;
    }

    /** The persisted partitions those batches are in, in the order they are read: what the driver schedules. */
    public int[] partitionsRead(int w, int epoch, int from, int to) {
        List<Integer> out = new ArrayList<>();
        visit(w, epoch, from, to, (c, lo, hi) -> out.add(trainPartition(w, c)));
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private interface ChunkRange {
        void accept(int chunk, int from, int to);
    }

    /** Walks worker w's chunks in the epoch's order, calling back with each chunk's share of positions [from, to). */
    private void visit(int w, int epoch, int from, int to, ChunkRange range) {
        to = (int) Math.min(to, batches(w));
        if (from >= to) {
            return;
        }
        int position = 0;
        for (int c : shuffled(chunks(w), Seeds.mix(seed, epoch, w, 1))) {
            int n = batchesInChunk(w, c);
            if (position + n > from) {
                range.accept(c, Math.max(0, from - position), Math.min(n, to - position));
            }
            position += n;
            if (position >= to) {
                return;
            }
        }
    }

    private static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
