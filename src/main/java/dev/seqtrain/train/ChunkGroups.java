package dev.seqtrain.train;

import org.apache.spark.Partition;
import org.apache.spark.rdd.PartitionCoalescer;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import scala.Option;

import java.io.Serializable;
import java.util.List;

/**
 * Groups chosen persisted partitions into tasks, in a given order: task i reads the chunks of group i
 * one after the other (Spark's coalesce, with our grouping instead of its balancing). This is how a
 * worker's round reads just the chunks its batches are in. Each task prefers the executor that holds
 * its first chunk, so after the first epoch a worker's data is read where it is cached.
 */
final class ChunkGroups implements PartitionCoalescer, Serializable {
    private final List<int[]> groups;
    private final List<String> locations;

    /** @param locations per group, the preferred location ("executor_HOST_ID" or a host), or null */
    ChunkGroups(List<int[]> groups, List<String> locations) {
        this.groups = groups;
        this.locations = locations;
    }

    @Override
    public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
        Partition[] parts = parent.partitions();
        PartitionGroup[] out = new PartitionGroup[groups.size()];
        for (int g = 0; g < out.length; g++) {
            out[g] = new PartitionGroup(Option.apply(locations.get(g)));
            for (int p : groups.get(g)) {
                out[g].partitions().addOne(parts[p]);
            }
        }
        return out;
    }
}
