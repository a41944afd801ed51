package dev.seqtrain.bench;

import dev.seqtrain.ml.SequenceClassificationModel;
import dev.seqtrain.ml.SequenceClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Batch inference on a table larger than the driver's memory would like (issue #14): a classifier is
 * fitted on a few hundred rows, then {@code transform} scores ROWS generated sequences (STEPS steps
 * of one feature each) and the result is written to Spark's {@code noop} sink, so every row is
 * computed on the executors and nothing is collected. Rows per second of the whole job, median of
 * REPEATS, the driver's heap after it (a collect would show here), and, in turn with each
 * measurement, the time Spark takes to generate and write the same table without the model.
 *   InferenceBench MASTER ROWS STEPS HIDDEN REPEATS
 */
public final class InferenceBench {
    public static void main(String[] args) {
        String master = args[0];
        long rows = Long.parseLong(args[1]);
        int steps = Integer.parseInt(args[2]);
        int hidden = Integer.parseInt(args[3]);
        int repeats = Integer.parseInt(args[4]);
        SparkSession spark = SparkSession.builder().master(master).appName("inference-bench").config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        try {
            SequenceClassificationModel model = new SequenceClassifier().setHidden(hidden).setEpochs(2).setBatchSize(16)
                    .setWorkers(2).setSeed(3).fit(table(spark, 300, steps, true));
            Dataset<Row> big = table(spark, rows, steps, false);
            List<Double> seconds = new ArrayList<>();
            List<Double> tableOnly = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                // Baseline in turn with the measurement: the same table generated and written, no model.
                long t0 = System.nanoTime();
                big.write().format("noop").mode("overwrite").save();
                long t1 = System.nanoTime();
                model.transform(big).write().format("noop").mode("overwrite").save();
                seconds.add((System.nanoTime() - t1) / 1e9);
                tableOnly.add((t1 - t0) / 1e9);
            }
            seconds.sort(null);
            tableOnly.sort(null);
            double median = seconds.get(seconds.size() / 2);
            double baseline = tableOnly.get(tableOnly.size() / 2);
            System.gc();
            long heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
            System.out.printf("INFERENCE\t%s\t%d rows\t%d steps\thidden %d\t%.1f s (median of %d: %s)\t%,.0f rows/s\t%,.0f timesteps/s"
                            + "\tdriver heap after %d MB\ttable alone %.1f s%n", master, rows, steps, hidden, median, repeats, seconds, rows / median,
                    rows * steps / median, heapMb, baseline);
        } finally {
            spark.stop();
        }
    }

    /**
     * {@code count} sequences of {@code steps} noisy values that rise, fall or stay flat, made by Spark SQL on
     * the executors (never a driver-side list); with {@code labelled}, the class in {@code label}.
     */
    static Dataset<Row> table(SparkSession spark, long count, int steps, boolean labelled) {
        Dataset<Row> t = spark.range(count).withColumn("label", functions.expr("cast(id % 3 as double)"))
                .withColumn("features", functions.expr("transform(sequence(0, " + (steps - 1) + "), i -> "
                        + "cast((1 - label) * i * 0.1 + sin(id * 7 + i) * 0.3 as double))"));
        return labelled ? t : t.drop("label");
    }
}
