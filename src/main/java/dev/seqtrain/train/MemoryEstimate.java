package dev.seqtrain.train;

import dev.seqtrain.io.BadInputException;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.ParameterLayout;

/**
 * The heap a model needs, estimated before anything is allocated, so that {@code model.hidden=20000}
 * is one line naming the estimate and the heap instead of an OutOfMemoryError minutes later.
 *
 * <p>What is counted (float32 everywhere): on the driver the parameters and optimizer state of the
 * current and the next round and the workers' weighted sums of both; in each training task the
 * broadcast copy, the gradients, the optimizer state, the packed weight matrices (four copies of the
 * weights at most) and the activations of one minibatch (about 12·H floats per step, sequence and
 * layer). It is a lower bound: Spark, the data chunks and the JVM need room beside it.
 */
public record MemoryEstimate(long parameters, long driverBytes, long taskBytes) {
    /** Below this share of the heap the estimate passes; above it the run is refused. */
    static final double MAX_SHARE = 0.8;

    public static MemoryEstimate of(NetworkSpec spec, int optimizerSlots, int batchSize, int steps) {
        long p = new ParameterLayout(spec).size();
        long copy = 4L * p * (1 + optimizerSlots);
        long driver = 4 * copy;
        long activations = 4L * 12 * spec.hidden() * (long) Math.max(1, steps) * batchSize * spec.layers();
        long task = copy + 4L * p + 4L * 4 * p + activations;
        return new MemoryEstimate(p, driver, task);
    }

    /**
     * Refuses when the estimate exceeds {@link #MAX_SHARE} of the heaps: the driver's, and each
     * executor's ({@code tasksPerExecutor} tasks at a time; in local mode the executors are the
     * driver's JVM, so everything shares its heap).
     */
    public void check(long driverHeap, long executorHeap, int tasksPerExecutor, boolean local, String keys) {
        long needDriver = local ? driverBytes + (long) tasksPerExecutor * taskBytes : driverBytes;
        if (needDriver > MAX_SHARE * driverHeap) {
            throw new BadInputException(String.format("%s: the model has %,d parameters and needs about %s of heap on the driver%s;"
                    + " the driver has %s (lower model.hidden or model.layers, or give the driver more memory, e.g."
                    + " --driver-memory or -Xmx)", keys, parameters, gigabytes(needDriver),
                    local ? " (local mode: with its " + tasksPerExecutor + " training tasks)" : "", gigabytes(driverHeap)));
        }
        if (!local && (long) tasksPerExecutor * taskBytes > MAX_SHARE * executorHeap) {
            throw new BadInputException(String.format("%s: the model has %,d parameters and needs about %s per executor (%d tasks"
                    + " of %s); spark.executor.memory is %s (lower model.hidden, train.batchSize or spark.executor.cores, or raise"
                    + " spark.executor.memory)", keys, parameters, gigabytes((long) tasksPerExecutor * taskBytes), tasksPerExecutor,
                    gigabytes(taskBytes), gigabytes(executorHeap)));
        }
    }

    static String gigabytes(long bytes) {
        return String.format("%.2f GB", bytes / 1e9);
    }
}
