package dev.seqtrain.train;

import dev.seqtrain.data.Batcher;
import dev.seqtrain.data.ExampleCodec;
import dev.seqtrain.data.SequenceExample;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.NetworkSpec;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Validation batches: runs of up to {@code batchSize} consecutive examples of one persisted partition,
 * in input order, packed one at a time. A validation chunk is a whole number of batches, so these are
 * the batches of the validation set in order, only the very last one partial.
 */
final class ConsecutiveBatches implements Iterator<MiniBatch> {
    private final Iterator<Tuple2<Long, byte[]>> source;
    private final int batchSize;
    private final NetworkSpec spec;
    private Tuple2<Long, byte[]> peeked;

    /** @param source (partition << 32 | slot, example bytes), as {@link PlannedBatches#tag} makes them */
    ConsecutiveBatches(Iterator<Tuple2<Long, byte[]>> source, int batchSize, NetworkSpec spec) {
        this.source = source;
        this.batchSize = batchSize;
        this.spec = spec;
    }

    @Override
    public boolean hasNext() {
        return peeked != null || source.hasNext();
    }

    @Override
    public MiniBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Tuple2<Long, byte[]> first = peeked != null ? peeked : source.next();
        peeked = null;
        int partition = PartitionLayout.partitionOf(first._1());
        List<SequenceExample> examples = new ArrayList<>(batchSize);
        examples.add(ExampleCodec.decode(first._2()));
        while (examples.size() < batchSize && source.hasNext()) {
            Tuple2<Long, byte[]> t = source.next();
            if (PartitionLayout.partitionOf(t._1()) != partition) {
                peeked = t;
                break;
            }
            examples.add(ExampleCodec.decode(t._2()));
        }
        return Batcher.pack(examples, spec, true);
    }
}
