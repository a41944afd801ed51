package dev.seqtrain.train;

import org.apache.spark.SparkEnv;

import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One JVM's memory, sampled where it runs (driver or executor) so a long run shows whether anything
 * grows: heap in use, heap live after the last collection, resident set now and at its peak, and the
 * broadcast blocks its block manager still holds (old rounds' weights must not pile up).
 */
public record JvmMemory(long pid, double heapUsedMb, double heapAfterGcMb, double rssMb, double peakRssMb,
                        int broadcastBlocks) implements Serializable {
    private static final double MB = 1024.0 * 1024.0;

    public static JvmMemory sample() {
        long used = 0;
        long afterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP) {
                continue;
            }
            used += pool.getUsage().getUsed();
            // Survivor and old pools after their last collection; eden is empty after one.
            if (pool.getCollectionUsage() != null && !pool.getName().contains("Eden")) {
                afterGc += pool.getCollectionUsage().getUsed();
            }
        }
        long[] rss = residentKb();
        return new JvmMemory(ProcessHandle.current().pid(), used / MB, afterGc / MB, rss[0] / 1024.0, rss[1] / 1024.0,
                countBroadcastBlocks());
    }

    /** VmRSS and VmHWM from /proc (Linux); zeros elsewhere. */
    private static long[] residentKb() {
        long[] out = new long[2];
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    out[0] = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("VmHWM:")) {
                    out[1] = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (Exception e) {
            // not Linux: RSS unknown
        }
        return out;
    }

    private static int countBroadcastBlocks() {
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            return 0;
        }
        return env.blockManager().getMatchingBlockIds((scala.Function1<org.apache.spark.storage.BlockId, Object>) id -> id.isBroadcast())
                .size();
    }
}
