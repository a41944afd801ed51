package dev.seqtrain.train;

import dev.seqtrain.data.Batcher;
import dev.seqtrain.data.ExampleCodec;
import dev.seqtrain.data.SequenceExample;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.NetworkSpec;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A round's batches in the order of its plan, packed one at a time from the chunks a task reads one
 * after another. Only the current chunk's planned examples are held (as their compact bytes), so a
 * worker's memory is one chunk, whatever the size of its partition.
 */
final class PlannedBatches implements Iterator<MiniBatch> {
    private final Iterator<Tuple2<Long, byte[]>> source;
    private final List<PartitionLayout.BatchRef> plan;
    private final NetworkSpec spec;
    private final Map<Integer, byte[]> chunk = new HashMap<>();
    private int chunkPartition = -1;
    private int next;
    private Tuple2<Long, byte[]> peeked;

    /** @param source (partition << 32 | slot in partition, example bytes), partitions in the plan's order */
    PlannedBatches(Iterator<Tuple2<Long, byte[]>> source, List<PartitionLayout.BatchRef> plan, NetworkSpec spec) {
        this.source = source;
        this.plan = plan;
        this.spec = spec;
    }

    /** Tags each example of persisted partition {@code pid} with its place (its slot), for {@link PlannedBatches}. */
    static Iterator<Tuple2<Long, byte[]>> tag(int pid, Iterator<byte[]> examples) {
        return new Iterator<>() {
            long slot;

            @Override
            public boolean hasNext() {
                return examples.hasNext();
            }

            @Override
            public Tuple2<Long, byte[]> next() {
                return new Tuple2<>(((long) pid << 32) | slot++, examples.next());
            }
        };
    }

    @Override
    public boolean hasNext() {
        return next < plan.size();
    }

    @Override
    public MiniBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        PartitionLayout.BatchRef ref = plan.get(next++);
        if (ref.partition() != chunkPartition) {
            load(ref.partition());
        }
        List<SequenceExample> examples = new ArrayList<>(ref.slots().length);
        for (int slot : ref.slots()) {
            byte[] bytes = chunk.remove(slot);
            if (bytes == null) {
                throw new IllegalStateException("example " + slot + " of partition " + ref.partition() + " is missing");
            }
            examples.add(ExampleCodec.decode(bytes));
        }
        return Batcher.pack(examples, spec, true);
    }

    /** Reads the source up to the end of partition p, keeping the examples of p that the plan names. */
    private void load(int p) {
        chunk.clear();
        chunkPartition = p;
        Set<Integer> wanted = new HashSet<>();
        for (int i = next - 1; i < plan.size() && plan.get(i).partition() == p; i++) {
            for (int slot : plan.get(i).slots()) {
                wanted.add(slot);
            }
        }
        while (peeked != null || source.hasNext()) {
            Tuple2<Long, byte[]> t = peeked != null ? peeked : source.next();
            peeked = null;
            int partition = PartitionLayout.partitionOf(t._1());
            if (partition != p && !chunk.isEmpty() && chunk.size() == wanted.size()) {
                peeked = t;   // the next chunk's first example
                return;
            }
            if (partition == p && wanted.contains((int) (long) t._1())) {
                chunk.put((int) (long) t._1(), t._2());
            }
        }
    }
}
