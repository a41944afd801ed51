package dev.seqtrain.train;

import org.apache.spark.SparkEnv;

import java.io.Serializable;
import java.net.InetAddress;

/** Which executor process ran a task: reported in the metrics so a run shows where it computed. */
public record WorkerInfo(String id, String host, long pid) implements Serializable {
    static WorkerInfo current() {
        SparkEnv env = SparkEnv.get();
        String id = env == null ? "local" : env.executorId();
        String host;
        try {
            host = InetAddress.getLocalHost().getHostAddress();
        } catch (Exception e) {
            host = "unknown";
        }
        return new WorkerInfo(id, host, ProcessHandle.current().pid());
    }
}
