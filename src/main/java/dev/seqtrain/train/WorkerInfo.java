package dev.seqtrain.train;

import org.apache.spark.SparkEnv;

import java.io.Serializable;
import java.net.InetAddress;

/** Which executor process ran a task: reported in the metrics so a run shows where it computed. */
public record WorkerInfo(String id, String host, long pid) implements Serializable {
    /** The host address does not change during a JVM's life: looked up once, not every round. */
    private static final String HOST = localHost();
    private static final long PID = ProcessHandle.current().pid();

    static WorkerInfo current() {
        SparkEnv env = SparkEnv.get();
        return new WorkerInfo(env == null ? "local" : env.executorId(), HOST, PID);
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
