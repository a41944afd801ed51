package dev.seqtrain.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One writer per output directory on a local disk, whatever happens to the writers: a holder in another
 * process refuses the next run by name and frees the lock the instant it is killed; retries racing for
 * a dead run's lock, or for a lock being released, never both win; a lock file cut short by a kill or a
 * full disk does not lock anyone out.
 */
class OutputLockTest {
    @TempDir
    java.nio.file.Path dir;
    final FileSystem fs = local();

    private static FileSystem local() {
        try {
            return FileSystem.getLocal(new Configuration());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private Path out() {
        return new Path(dir.resolve("run").toString());
    }

    @Test
    void aHolderInAnotherProcessIsNamedAndItsKillFreesTheLockAtOnce() throws Exception {
        Process holder = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                out().toString()).redirectErrorStream(true).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("held", said.readLine());
            BadInputException refused = assertThrows(BadInputException.class, () -> OutputLock.acquire(fs, out()));
            assertTrue(refused.getMessage().contains("another run is writing here") && refused.getMessage().contains("pid " + holder.pid()),
                    refused.getMessage());
        } finally {
            holder.destroyForcibly();   // SIGKILL: no shutdown hook, the lock file stays behind
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.exists(dir.resolve("run").resolve(OutputLock.NAME)), "a kill leaves the file");
        try (OutputLock lock = OutputLock.acquire(fs, out())) {
            assertTrue(Files.readString(dir.resolve("run").resolve(OutputLock.NAME)).contains("\"pid\":" + ProcessHandle.current().pid()));
        }
        assertEquals(0, Files.size(dir.resolve("run").resolve(OutputLock.NAME)), "released: the file stays, empty");
    }

    @Test
    void retriesRacingForADeadRunsLockHaveOneWinner() throws Exception {
        Files.createDirectories(dir.resolve("run"));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(dir.resolve("run").resolve(OutputLock.NAME), "{\"host\":\"" + InetAddress.getLocalHost().getHostName()
                + "\",\"pid\":" + gone.pid() + ",\"started\":\"2026-12-01T00:00:00Z\",\"token\":\"dead\"}");
        int takers = 8;
        CyclicBarrier start = new CyclicBarrier(takers);
        ExecutorService pool = Executors.newFixedThreadPool(takers);
        List<Future<OutputLock>> tries = new ArrayList<>();
        for (int i = 0; i < takers; i++) {
            tries.add(pool.submit(() -> {
                start.await();
                try {
                    return OutputLock.acquire(fs, out());
                } catch (BadInputException e) {
                    assertTrue(e.getMessage().contains("another run is writing here"), e.getMessage());
                    return null;
                }
            }));
        }
        List<OutputLock> won = new ArrayList<>();
        for (Future<OutputLock> f : tries) {
            if (f.get() != null) {
                won.add(f.get());
            }
        }
        pool.shutdown();
        assertEquals(1, won.size(), "exactly one taker holds the lock");
        won.get(0).close();
    }

    @Test
    void takingAndReleasingInALoopNeverHasTwoHolders() throws Exception {
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger taken = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            loops.add(pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    OutputLock lock;
                    try {
                        lock = OutputLock.acquire(fs, out());
                    } catch (BadInputException e) {
                        continue;   // held by another thread: the expected refusal
                    }
                    most.accumulateAndGet(holders.incrementAndGet(), Math::max);
                    taken.incrementAndGet();
                    holders.decrementAndGet();
                    lock.close();
                }
                return null;
            }));
        }
        for (Future<?> f : loops) {
            f.get();
        }
        pool.shutdown();
        assertEquals(1, most.get(), "never two holders at once");
        assertTrue(taken.get() >= 20, "the lock was taken " + taken.get() + " times in 800 tries");
    }

    @Test
    void anEmptyLockFileLeftByAKillLocksNobodyOut() throws Exception {
        Files.createDirectories(dir.resolve("run"));
        Files.write(dir.resolve("run").resolve(OutputLock.NAME), new byte[0]);   // killed between create and write
        try (OutputLock lock = OutputLock.acquire(fs, out())) {
            assertTrue(Files.size(dir.resolve("run").resolve(OutputLock.NAME)) > 0);
        }
    }

    private static String java() {
        return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
