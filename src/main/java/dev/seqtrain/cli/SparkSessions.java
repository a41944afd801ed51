package dev.seqtrain.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Creates the Spark context for a command. Under {@code spark-submit} the master and everything else
 * come from spark-submit; otherwise Spark runs in local mode ({@code local[*]}) or against
 * {@code --master}, bound to 127.0.0.1 with the web UI off, so a laptop run opens no public port.
 */
final class SparkSessions {
    private SparkSessions() {
    }

    /** The jar this class was loaded from, or null when running from a classes directory. */
    static String applicationJar() {
        try {
            var source = SparkSessions.class.getProtectionDomain().getCodeSource();
            String path = source == null ? null : java.nio.file.Path.of(source.getLocation().toURI()).toString();
            return path != null && path.endsWith(".jar") ? path : null;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    static JavaSparkContext start(String master, String appName) {
        MasterUrl.check(master);
        SparkConf conf = new SparkConf().setAppName(appName);
        boolean submitted = conf.contains("spark.master");
        // A round's result (parameters and optimizer state) is megabytes: send it back with the task's
        // status message instead of parking it in the block manager for a second fetch.
        conf.setIfMissing("spark.task.maxDirectResultSize", "64m");
        // One thread of math per task: native BLAS on the executors must not start its own threads.
        conf.setIfMissing("spark.executorEnv.OPENBLAS_NUM_THREADS", "1");
        conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", "1");
        if (master != null) {
            conf.setMaster(master);
            if (!master.startsWith("local") && !submitted) {
                // Started by plain java (scripts/seqtrain), not spark-submit: ship our jar to the executors.
                String jar = applicationJar();
                if (jar == null) {
                    throw new dev.seqtrain.io.BadInputException("--master " + master
                            + " needs seqtrain's jar on the classpath (run through scripts/seqtrain or spark-submit)");
                }
                conf.setJars(new String[] {jar});
            }
        } else if (!submitted) {
            conf.setMaster("local[*]");
        }
        if (!submitted) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.sql.shuffle.partitions", "8");
            // Executors we launch ourselves (standalone on loopback) need the Vector API module too.
            conf.setIfMissing("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector");
        }
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
        return sc;
    }

    /**
     * Waits until at least one executor has registered, at most {@code seconds}: a standalone master
     * without workers (or whose workers lack the cores or memory asked for) would otherwise leave the
     * first job waiting forever, and a dead master URL ends with Spark giving up after a minute and a
     * page of traces. Local mode has its executor at once.
     */
    static void awaitExecutors(JavaSparkContext sc, long seconds) {
        if (sc.isLocal()) {
            return;
        }
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            if (sc.sc().isStopped()) {
                throw new dev.seqtrain.io.BadInputException("--master " + sc.master() + ": the application could not register"
                        + " with the master (is it running at that address?)");
            }
            // The driver's own block manager is in the map too: more than one entry means an executor.
            if (sc.sc().getExecutorMemoryStatus().size() > 1) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new dev.seqtrain.io.BadInputException("--master " + sc.master() + ": no executor registered within " + seconds
                        + " s (train.executorWaitSeconds): are workers running, with the cores and memory asked for"
                        + " (spark.executor.cores, spark.executor.memory)?");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for executors", e);
            }
        }
    }
}
