package dev.seqtrain.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A standalone master URL with nothing behind it (a dead master, or one without workers): the run
 * gives up after {@code train.executorWaitSeconds} with one line and exit 2, instead of waiting forever.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ExecutorWaitIT {
    @Test
    void noExecutorsIsOneLineAfterTheWait() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-executor-wait-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();   // free once closed: nothing listens there
        }
        Path log = work.resolve("run.log");
        Process p = new ProcessBuilder("scripts/seqtrain", "train", "--config", "conf/charlm.properties", "--output",
                work.resolve("out").toString(), "--master", "spark://127.0.0.1:" + port, "--set", "train.executorWaitSeconds=5")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(150, TimeUnit.SECONDS), "gave up in time");
        String out = Files.readString(log);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("seqtrain: error: --master spark://127.0.0.1:" + port + ": "), out);
        assertTrue(out.contains("no executor registered within 5 s") || out.contains("could not register with the master"), out);
        assertFalse(Files.exists(work.resolve("out/model")), "nothing trained");
    }
}
