package dev.seqtrain.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A standalone master URL with nothing behind it (a dead master, or a master without workers): the
 * run gives up with one line and exit 2 instead of waiting forever (a dead master after Spark's own
 * minute of registration attempts, a master without workers after {@code train.executorWaitSeconds}).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ExecutorWaitIT {
    @Test
    void noExecutorsIsOneLineAfterTheWait() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-executor-wait-");
        int port = StandaloneClusterIT.freePort();   // free once closed: nothing listens there
        String out = trainAgainst(work, port, 150);
        assertTrue(out.contains("seqtrain: error: --master spark://127.0.0.1:" + port + ": "), out);
        assertTrue(out.contains("no executor registered within 5 s") || out.contains("could not register with the master"), out);
        assertFalse(Files.exists(work.resolve("out/model")), "nothing trained");
    }

    /** A live master without workers: the application registers, no executor ever comes. */
    @Test
    void aMasterWithoutWorkersIsOneLineAfterTheWait() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-no-workers-");
        int port = StandaloneClusterIT.freePort();
        java.util.Map<String, String> env = java.util.Map.of("SEQTRAIN_CLUSTER_DIR", work.resolve("cluster").toString(),
                "SEQTRAIN_MASTER_PORT", String.valueOf(port), "SEQTRAIN_MASTER_UI_PORT", String.valueOf(StandaloneClusterIT.freePort()),
                "SEQTRAIN_WORKER_UI_PORT", String.valueOf(StandaloneClusterIT.freePort()), "SEQTRAIN_WORKERS", "0");
        assertEquals(0, start(env, work, "start").waitFor(), "master started");
        try {
            String out = trainAgainst(work, port, 120);
            assertTrue(out.contains("no executor registered within 5 s (train.executorWaitSeconds)"), out);
        } finally {
            start(env, work, "stop").waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** `train` against the master at {@code port} with a 5 s executor wait: its output, after checking it ended with exit 2. */
    private static String trainAgainst(Path work, int port, int timeoutSeconds) throws Exception {
        Path log = work.resolve("run.log");
        Process p = new ProcessBuilder("scripts/seqtrain", "train", "--config", "conf/charlm.properties", "--output",
                work.resolve("out").toString(), "--master", "spark://127.0.0.1:" + port, "--set", "train.executorWaitSeconds=5")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), "gave up in time");
        String out = Files.readString(log);
        assertEquals(2, p.exitValue(), out);
        return out;
    }

    private static Process start(java.util.Map<String, String> env, Path work, String what) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("scripts/standalone-cluster", what).redirectErrorStream(true)
                .redirectOutput(work.resolve("cluster-" + what + ".log").toFile());
        pb.environment().putAll(env);
        return pb.start();
    }
}
