package dev.seqtrain.bench;

import dev.seqtrain.data.SparkDataset;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;

/**
 * Load throughput, ours beside Spark's own reader on the same file in the same JVM, alternating
 * (Spark, ours, Spark, ours, ...) so that the machine's drift hits both: Spark counts the rows
 * ({@code spark.read().text/csv(path).count()}), we read every example to its compact bytes (the
 * summary passes and the encoding pass, not the trainer's packing).
 *   LoadBench FORMAT PATH [PAIRS]   (FORMAT: text, csv-long, csv-wide)
 */
public final class LoadBench {
    public static void main(String[] args) throws Exception {
        String format = args[0];
        String path = args[1];
        int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        long bytes = java.nio.file.Files.size(java.nio.file.Path.of(path));
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("load-bench").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("ERROR");
            SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
            String task = format.equals("text") ? "lm" : "classify";
            SparkDataset.Settings s = new SparkDataset.Settings(format, task, path, "", 0.01, 100, 0, "id", "label", false, 0,
                    100000, 42, "", 0, 0, SparkDataset.Settings.DEFAULT_MAX_LINE_BYTES);
            List<Double> sparkSeconds = new ArrayList<>();
            List<Double> ourSeconds = new ArrayList<>();
            long sparkRows = 0;
            long ourExamples = 0;
            for (int i = 0; i < pairs; i++) {
                long t0 = System.nanoTime();
                sparkRows = format.equals("text") ? spark.read().text(path).count()
                        : spark.read().option("header", "true").csv(path).count();
                long t1 = System.nanoTime();
                ourExamples = SparkDataset.load(sc, s).examples().keyed().count();
                long t2 = System.nanoTime();
                sparkSeconds.add((t1 - t0) / 1e9);
                ourSeconds.add((t2 - t1) / 1e9);
            }
            double spark1 = median(sparkSeconds);
            double ours = median(ourSeconds);
            System.out.printf("| %s | %.2f GB | %,d rows: %.1f s, %.0f MB/s per core | %,d examples: %.1f s, %.0f MB/s per core | %.2fx |%n",
                    format, bytes / 1e9, sparkRows, spark1, bytes / 1e6 / spark1 / 2, ourExamples, ours, bytes / 1e6 / ours / 2,
                    ours / spark1);
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
