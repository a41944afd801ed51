package dev.seqtrain.cli;

import dev.seqtrain.io.BadInputException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code --master} value checked before Spark starts, so a mistake is one line instead of Spark's
 * "Error initializing SparkContext" with its stack trace.
 */
final class MasterUrl {
    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|\\d+)(,\\s*\\d+)?\\])?");

    private MasterUrl() {
    }

    static void check(String master) {
        if (master == null) {
            return;
        }
        Matcher m = LOCAL.matcher(master);
        if (m.matches()) {
            if (m.group(2) != null && !m.group(2).equals("*") && Long.parseLong(m.group(2)) < 1) {
                throw new BadInputException("--master " + master + ": local mode needs at least one thread (local[1], local[2], local[*])");
            }
            return;
        }
        if (master.startsWith("spark://") || master.startsWith("k8s://") || master.startsWith("local-cluster[")) {
            return;
        }
        if (master.equals("yarn")) {
            String conf = System.getenv("HADOOP_CONF_DIR") != null ? System.getenv("HADOOP_CONF_DIR") : System.getenv("YARN_CONF_DIR");
            if (conf == null || conf.isBlank()) {
                throw new BadInputException("--master yarn: set HADOOP_CONF_DIR or YARN_CONF_DIR to the cluster's Hadoop"
                        + " configuration (or submit with spark-submit on a gateway node)");
            }
            return;
        }
        throw new BadInputException("--master " + master + ": not a Spark master URL (expected local, local[N], local[*],"
                + " spark://HOST:PORT, yarn or k8s://URL)");
    }
}
