package dev.seqtrain.train;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measures what a round costs besides compute, with the trainer's own code paths: an empty job, and
 * a round trip of {@code floats} values (broadcast, every partition returns a result of that size,
 * summed in partition order with the given fan-in). Used to calibrate the cost model.
 */
public final class CommunicationProbe {
    private CommunicationProbe() {
    }

    /** Median seconds of a job of {@code partitions} tasks that do nothing. */
    public static double emptyJobSeconds(JavaSparkContext sc, int partitions, int repeats) {
        JavaRDD<Integer> rdd = sc.parallelize(range(partitions), partitions);
        double[] t = new double[repeats];
        for (int i = -3; i < repeats; i++) {       // three warm-up jobs
            long t0 = System.nanoTime();
            rdd.foreachPartition(it -> { });
            if (i >= 0) {
                t[i] = (System.nanoTime() - t0) / 1e9;
            }
        }
        return median(t);
    }

    /** Median seconds of broadcast + per-partition results + ordered sum, as in a training round. */
    public static double roundTripSeconds(JavaSparkContext sc, int floats, int partitions, int fanIn, int repeats) {
        JavaRDD<Integer> rdd = sc.parallelize(range(partitions), partitions).cache();
        rdd.count();
        float[] state = new float[floats];
        Arrays.fill(state, 0.5f);
        double[] t = new double[repeats];
        for (int i = -2; i < repeats; i++) {
            long t0 = System.nanoTime();
            Broadcast<float[]> bc = sc.broadcast(state);
            JavaPairRDD<Integer, RoundResult> results = rdd.mapPartitionsWithIndex((pid, it) -> {
                RoundResult r = new RoundResult();
                r.weighted = bc.value().clone();
                r.weight = 1;
                r.workersWithData = 1;
                return List.of(new Tuple2<>(pid, r)).iterator();
            }, true).mapToPair(x -> x);
            RoundResult total = ParameterAveragingTrainer.sumInPartitionOrder(results, fanIn);
            bc.destroy();
            if (total.weighted.length != floats) {
                throw new IllegalStateException("lost values in the round trip");
            }
            if (i >= 0) {
                t[i] = (System.nanoTime() - t0) / 1e9;
            }
        }
        rdd.unpersist();
        return median(t);
    }

    private static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }

    private static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
