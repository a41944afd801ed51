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
}
