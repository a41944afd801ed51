package dev.seqtrain.cluster;

import dev.seqtrain.io.BadInputException;
import dev.seqtrain.io.CheckpointStore;
import dev.seqtrain.io.OutputLock;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM in the middle of a run (a scheduler's timeout): the run finishes its round, writes a
 * checkpoint, says in one line where to resume from and exits 143 without a stack trace; {@code
 * --resume} then ends with the state of a run that was never stopped.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class StopSignalIT {

    @Test
    void sigtermCheckpointsAndResumeEndsWhereAnUnstoppedRunEnds() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-sigterm-");
        Path config = DriverKillIT.sixEpochConfig(work);
        List<String> train = List.of("scripts/seqtrain", "train", "--config", config.toString(), "--master", "local[2]",
                "--sample-length", "0", "--output");

        Path whole = work.resolve("whole");
        assertEquals(0, DriverKillIT.run(work, concat(train, whole.toString()), 300));

        Path stopped = work.resolve("stopped");
        Path log = work.resolve("stopped.log");
        Process p = new ProcessBuilder(concat(train, stopped.toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path first = stopped.resolve("checkpoints/epoch-000001");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!Files.exists(first) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(p.isAlive(), "the run was still going when the first checkpoint appeared");
        // Its OS lock survives all it has written so far (POSIX drops a lock when its process closes any
        // descriptor of the file): a second run, here this JVM, is refused naming it.
        org.apache.hadoop.fs.FileSystem local = org.apache.hadoop.fs.FileSystem.getLocal(new Configuration());
        BadInputException refused = assertThrows(BadInputException.class,
                () -> OutputLock.acquire(local, new org.apache.hadoop.fs.Path(stopped.toString())));
        assertTrue(refused.getMessage().contains("pid " + p.pid()), refused.getMessage());
        p.destroy();   // SIGTERM (scripts/seqtrain execs the JVM)
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped within the grace period");
        String out = Files.readString(log);
        assertEquals(143, p.exitValue(), out);
        assertTrue(out.contains("SIGTERM received: stopping after the current round"), out);
        assertTrue(out.contains("stopped by SIGTERM after epoch"), out);
        assertTrue(out.contains("continue with --resume"), out);
        assertFalse(out.contains("\tat "), "no stack trace: " + out);
        assertEquals(0, Files.size(stopped.resolve(OutputLock.NAME)), "the lock is released (the file stays, empty)");

        CheckpointStore store = new CheckpointStore(new org.apache.hadoop.fs.Path(stopped.resolve("checkpoints").toString()),
                new Configuration());
        List<org.apache.hadoop.fs.Path> written = store.list();
        assertTrue(written.get(written.size() - 1).getName().compareTo("epoch-000001") > 0,
                "a checkpoint written on the way out: " + written);
        assertEquals(0, DriverKillIT.run(work, concat(concat(train, stopped.toString()), "--resume"), 300));
        CheckpointStore reference = new CheckpointStore(new org.apache.hadoop.fs.Path(whole.resolve("checkpoints").toString()),
                new Configuration());
        assertArrayEquals(reference.latestValid().params(), store.latestValid().params());
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(b));
        return all;
    }
}
