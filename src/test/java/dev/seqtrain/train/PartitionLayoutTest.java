package dev.seqtrain.train;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layout's promises: every training example has one slot; every epoch trains on each of a worker's
 * examples exactly once, in batches that are full except a chunk's last; the batches are drawn anew
 * each epoch; a round's plan is the epoch's plan cut at its positions; and the same seed gives the same
 * plans.
 */
class PartitionLayoutTest {
    private static final int[][] SHAPES = {
            // workers, training examples, batch size, batches per chunk
            {1, 40, 6, 64}, {1, 1000, 8, 4}, {3, 1001, 7, 5}, {4, 3, 2, 1}, {16, 5000, 32, 2}, {2, 1, 4, 3},
    };

    private static PartitionLayout layout(int[] shape, long seed) {
        return new PartitionLayout(shape[0], shape[1], 11, shape[2], shape[3], seed);
    }

    /** A slot of a persisted partition, as one number. */
    private static long at(int partition, int slot) {
        return ((long) partition << 32) | slot;
    }

    @Test
    void everyTrainingExampleHasItsOwnSlotInItsWorkersChunks() {
        for (int[] shape : SHAPES) {
            PartitionLayout layout = layout(shape, 3);
            Set<Long> keys = new HashSet<>();
            for (long t = 0; t < shape[1]; t++) {
                long key = layout.trainKey(t);
                int w = (int) (t % shape[0]);
                int c = PartitionLayout.partitionOf(key) - layout.trainPartition(w, 0);
                assertTrue(c >= 0 && c < layout.chunks(w), Arrays.toString(shape) + " example " + t);
                assertTrue((int) key >= 0 && (int) key < layout.examplesInChunk(w, c), Arrays.toString(shape) + " example " + t);
                assertTrue(keys.add(key), "two examples share slot " + Long.toHexString(key));
            }
        }
    }

    @Test
    void anEpochTrainsOnEachExampleOnceInBatchesDrawnAnewEachEpoch() {
        for (int[] shape : SHAPES) {
            PartitionLayout layout = layout(shape, 5);
            for (int w = 0; w < shape[0]; w++) {
                Set<Set<Long>> previous = null;
                for (int epoch = 0; epoch < 3; epoch++) {
                    List<PartitionLayout.BatchRef> plan = layout.plan(w, epoch, 0, Integer.MAX_VALUE);
                    assertEquals(layout.batches(w), plan.size());
                    Set<Long> seen = new HashSet<>();
                    Set<Set<Long>> batches = new HashSet<>();
                    List<Integer> partial = new ArrayList<>();
                    for (PartitionLayout.BatchRef ref : plan) {
                        Set<Long> batch = new HashSet<>();
                        for (int slot : ref.slots()) {
                            long at = at(ref.partition(), slot);
                            assertTrue(seen.add(at), Arrays.toString(shape) + ": slot trained twice in epoch " + epoch);
                            batch.add(at);
                        }
                        if (ref.slots().length < shape[2]) {
                            partial.add(ref.partition());
                        }
                        batches.add(batch);
                    }
                    assertEquals(layout.examples(w), seen.size(), Arrays.toString(shape));
                    assertEquals(new HashSet<>(partial).size(), partial.size(), "two partial batches in one chunk");
                    assertTrue(partial.size() <= 1, Arrays.toString(shape) + ": only the last chunk is not whole");
                    if (previous != null && layout.examples(w) > shape[2]) {
                        assertNotEquals(previous, batches, Arrays.toString(shape) + ": epoch " + epoch + " repeats its batches");
                    }
                    previous = batches;
                }
            }
        }
    }

    @Test
    void aRoundsPlanIsTheEpochsPlanCutAtItsPositionsAndTheSameSeedGivesTheSamePlans() {
        for (int[] shape : SHAPES) {
            PartitionLayout layout = layout(shape, 7);
            PartitionLayout again = layout(shape, 7);
            for (int w = 0; w < shape[0]; w++) {
                for (int k : new int[] {1, 3, 64}) {
                    List<PartitionLayout.BatchRef> whole = layout.plan(w, 2, 0, Integer.MAX_VALUE);
                    List<PartitionLayout.BatchRef> cut = new ArrayList<>();
                    for (int from = 0; from < layout.batches(w); from += k) {
                        List<PartitionLayout.BatchRef> round = layout.plan(w, 2, from, from + k);
                        int[] read = layout.partitionsRead(w, 2, from, from + k);
                        assertArrayEquals(round.stream().mapToInt(PartitionLayout.BatchRef::partition).distinct().toArray(), read);
                        cut.addAll(round);
                    }
                    assertEquals(whole.size(), cut.size());
                    List<PartitionLayout.BatchRef> same = again.plan(w, 2, 0, Integer.MAX_VALUE);
                    for (int i = 0; i < whole.size(); i++) {
                        assertEquals(whole.get(i).partition(), cut.get(i).partition());
                        assertArrayEquals(whole.get(i).slots(), cut.get(i).slots());
                        assertArrayEquals(whole.get(i).slots(), same.get(i).slots());
                    }
                }
            }
        }
    }
}
