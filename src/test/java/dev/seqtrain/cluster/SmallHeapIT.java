package dev.seqtrain.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data four times the heap: a 420 MB corpus trained by a JVM with a 96 MB heap (Spark in local mode,
 * driver and executor in that one JVM), batches kept on local disk. The run stops mid-epoch at a step
 * budget, and resuming from that checkpoint ends with the bytes of a run that was never stopped.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SmallHeapIT {
    private static final long DATA_BYTES = 420_000_000L;
    private static final String HEAP = "-Xmx96m";

    @Test
    void trainsOnDataFourTimesTheHeapAndResumesMidEpoch() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-small-heap-");
        Path corpus = work.resolve("big.txt");
        byte[] text = Files.readAllBytes(Path.of("data/tinyshakespeare/input.txt"));
        try (OutputStream out = Files.newOutputStream(corpus)) {
            for (long written = 0; written < DATA_BYTES; written += text.length) {
                out.write(text, 0, (int) Math.min(text.length, DATA_BYTES - written));
            }
        }
        assertTrue(Files.size(corpus) >= 4L * 96 * 1024 * 1024, "the data is at least four times the heap");
        List<String> common = List.of("--set", "data.train=" + corpus, "--set", "data.format=text", "--set", "model.task=lm",
                "--set", "data.seqLength=200", "--set", "model.hidden=32", "--set", "train.batchSize=16",
                "--set", "train.workers=2", "--set", "train.averagingFrequency=5", "--set", "train.evalEvery=2",
                "--set", "data.validMaxExamples=300", "--set", "data.storageLevel=DISK_ONLY", "--set", "train.learningRate=0.01",
                "--master", "local[2]", "--sample-length", "0");

        Path whole = work.resolve("whole");
        assertEquals(0, train(work, whole, common, "train.maxSteps=30"));
        Path stopped = work.resolve("stopped");
        assertEquals(0, train(work, stopped, common, "train.maxSteps=15"));
        String ckpt = Files.readString(stopped.resolve("checkpoints/epoch-000002/checkpoint.json"));
        assertTrue(ckpt.contains("\"steps\" : 15") && !ckpt.contains("\"nextRound\" : 0"), "a mid-epoch checkpoint: " + ckpt);
        assertEquals(0, train(work, stopped, common, "train.maxSteps=30", "--resume"));
        assertArrayEquals(Files.readAllBytes(whole.resolve("model/weights.safetensors")),
                Files.readAllBytes(stopped.resolve("model/weights.safetensors")));
        String log = Files.readString(work.resolve("stopped.log"));
        assertTrue(log.contains("resuming from"), log);
    }

    private static int train(Path work, Path out, List<String> common, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("scripts/seqtrain", "train", "--output", out.toString()));
        cmd.addAll(common);
        for (String e : extra) {
            if (e.startsWith("--")) {
                cmd.add(e);
            } else {
                cmd.add("--set");
                cmd.add(e);
            }
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve(out.getFileName() + ".log").toFile()));
        // Spark reserves 300 MB of heap by default and refuses smaller JVMs; a test-only setting lowers that reserve.
        pb.environment().put("SEQTRAIN_JAVA_OPTS", HEAP + " -Dspark.testing.reservedMemory=16777216");
        Process p = pb.start();
        if (!p.waitFor(4, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + Files.readString(work.resolve(out.getFileName() + ".log"), StandardCharsets.UTF_8));
        }
        if (p.exitValue() != 0) {
            System.err.println(Files.readString(work.resolve(out.getFileName() + ".log")));
        }
        return p.exitValue();
    }
}
