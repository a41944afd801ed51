package dev.seqtrain;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** The Spark context tests run on: local[2], bound to 127.0.0.1, no web UI. */
public final class LocalSpark {
    private LocalSpark() {
    }

    public static JavaSparkContext start(String appName) {
        return new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName(appName)
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
    }
}
