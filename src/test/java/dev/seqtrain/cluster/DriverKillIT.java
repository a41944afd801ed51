package dev.seqtrain.cluster;

import dev.seqtrain.io.CheckpointStore;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver killed with SIGKILL in the middle of a run: every checkpoint left on disk verifies
 * (none half-written), and {@code --resume} ends with the weights of a run that was never interrupted.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DriverKillIT {

    @Test
    void resumeAfterSigkillEndsWhereAnUninterruptedRunEnds() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-driver-kill-");
        Path config = sixEpochConfig(work);

        Path whole = work.resolve("whole");
        assertEquals(0, run(work, List.of("scripts/seqtrain", "train", "--config", config.toString(), "--output", whole.toString(),
                "--master", "local[2]", "--sample-length", "0"), 300));

        Path killed = work.resolve("killed");
        Process p = new ProcessBuilder("scripts/seqtrain", "train", "--config", config.toString(), "--output", killed.toString(),
                "--master", "local[2]", "--sample-length", "0").redirectErrorStream(true)
                .redirectOutput(work.resolve("killed-first.log").toFile()).start();
        Path second = killed.resolve("checkpoints/epoch-000002");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!Files.exists(second) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(p.isAlive(), "the run was still going when the second checkpoint appeared");
        p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();   // SIGKILL: no shutdown hooks, no chance to tidy up
        p.waitFor();

        CheckpointStore store = new CheckpointStore(new org.apache.hadoop.fs.Path(killed.resolve("checkpoints").toString()),
                new Configuration());
        for (var c : store.list()) {
            store.read(c);     // throws if any checkpoint on disk is incomplete or damaged
        }
        assertEquals(0, run(work, List.of("scripts/seqtrain", "train", "--config", config.toString(), "--output", killed.toString(),
                "--master", "local[2]", "--sample-length", "0", "--resume"), 300));
        assertArrayEquals(Files.readAllBytes(whole.resolve("model/weights.safetensors")),
                Files.readAllBytes(killed.resolve("model/weights.safetensors")));
        assertEquals(6, Files.readAllLines(killed.resolve("metrics.jsonl")).size());
    }

    /** A 6-epoch character model on 60 KB of Tiny Shakespeare, long enough to be interrupted mid-run. */
    static Path sixEpochConfig(Path work) throws Exception {
        String text = Files.readString(Path.of("data/tinyshakespeare/input.txt"), StandardCharsets.UTF_8);
        Path corpus = work.resolve("small.txt");
        Files.writeString(corpus, text.substring(0, 60_000));
        Path config = work.resolve("six-epochs.properties");
        Files.writeString(config, String.join("\n", "data.format=text", "data.train=" + corpus, "data.seqLength=50",
                "data.validFraction=0.1", "model.task=lm", "model.hidden=48", "train.batchSize=16", "train.workers=2",
                "train.averagingFrequency=4", "train.learningRate=0.01", "train.epochs=6", "train.seed=13", ""));
        return config;
    }

    static int run(Path work, List<String> command, int seconds) throws Exception {
        File log = work.resolve("log-" + System.nanoTime() + ".txt").toFile();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        if (p.exitValue() != 0) {
            System.err.println(Files.readString(log.toPath()));
        }
        return p.exitValue();
    }
}
