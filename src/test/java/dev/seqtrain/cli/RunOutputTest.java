package dev.seqtrain.cli;

import dev.seqtrain.io.ModelDirectory;
import dev.seqtrain.io.OutputLock;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a scheduler's night does to an output directory (issue #13): one writer at a time, --overwrite
 * removes only the run's own files, --resume never silently starts over, the model is switched as a
 * whole, and a resume on the other GEMM backend is asked for.
 */
class RunOutputTest {
    @TempDir
    static Path dir;
    static Path config;

    @BeforeAll
    static void smallRun() throws Exception {
        String text = Files.readString(Path.of("data/tinyshakespeare/input.txt"), StandardCharsets.UTF_8);
        Path corpus = dir.resolve("small.txt");
        Files.writeString(corpus, text.substring(0, 8_000));
        config = dir.resolve("small.properties");
        Files.writeString(config, String.join("\n", "data.format=text", "data.train=" + corpus, "data.seqLength=40",
                "model.task=lm", "model.hidden=8", "train.batchSize=16", "train.workers=1", "train.epochs=1", ""));
    }

    record Result(int code, String err) {
    }

    static Result train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--config", config.toString(), "--output", out.toString(),
                "--master", "local[1]", "--sample-length", "0"));
        args.addAll(Arrays.asList(extra));
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), args.toArray(String[]::new));
        return new Result(code, err.toString());
    }

    static void assertOneLineError(Result r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "expected '" + f + "' in: " + r.err());
        }
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    static void writeLock(Path out, long pid) throws Exception {
        Files.createDirectories(out);
        Files.writeString(out.resolve(OutputLock.NAME), "{\"host\":\"" + InetAddress.getLocalHost().getHostName()
                + "\",\"pid\":" + pid + ",\"started\":\"2026-12-01T00:00:00Z\",\"token\":\"other\"}");
    }

    @Test
    void aSecondWriterIsRefusedNamingTheHolder() throws Exception {
        Path out = dir.resolve("locked");
        long alive = ProcessHandle.current().pid();
        try (OutputLock held = OutputLock.acquire(org.apache.hadoop.fs.FileSystem.getLocal(new Configuration()),
                new org.apache.hadoop.fs.Path(out.toString()))) {
            assertOneLineError(train(out), "another run is writing here", "pid " + alive, OutputLock.NAME);
            assertFalse(Files.exists(out.resolve("model")), "the refused run wrote nothing");
            assertTrue(Files.exists(out.resolve(OutputLock.NAME)), "the holder's lock is left alone");
        }
    }

    @Test
    void anOutputThatIsAFileIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "mine");
        assertOneLineError(train(file), "not-a-directory: is a file; a run's output is a directory");
        assertEquals("mine", Files.readString(file));
    }

    @Test
    void aLockLeftByADeadProcessIsTakenOverAndReleased() throws Exception {
        Path out = dir.resolve("stale");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        writeLock(out, gone.pid());
        Result r = train(out);
        assertEquals(0, r.code(), r.err());
        assertEquals(0, Files.size(out.resolve(OutputLock.NAME)), "released at the end of the run (the file stays, empty)");
    }

    @Test
    void overwriteRemovesOnlyTheRunsOwnFiles() throws Exception {
        Path out = dir.resolve("overwrite");
        assertEquals(0, train(out).code());
        Files.writeString(out.resolve("notes.txt"), "mine");
        Files.createDirectories(out.resolve("data"));
        Files.writeString(out.resolve("data/part-0.txt"), "kept");
        Result r = train(out, "--overwrite");
        assertEquals(0, r.code(), r.err());
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        assertEquals("kept", Files.readString(out.resolve("data/part-0.txt")));
        assertTrue(Files.exists(out.resolve("model/weights.safetensors")));
    }

    @Test
    void aResumeRemovesTheTemporaryFilesOfAKilledWriteAndNothingElse() throws Exception {
        Path out = dir.resolve("leftovers");
        assertEquals(0, train(out).code());
        String uuid = java.util.UUID.randomUUID().toString();
        Path metricsTmp = out.resolve(".metrics.jsonl." + uuid + ".tmp");   // killed while replacing metrics.jsonl
        Path reportTmp = out.resolve(".report.html." + uuid + ".tmp");
        Files.writeString(metricsTmp, "{\"epoch\":1");
        Files.writeString(reportTmp, "<html>");
        Files.writeString(out.resolve("mine.tmp"), "kept");
        Files.writeString(out.resolve(".notes." + uuid + ".tmp"), "kept");
        Result r = train(out, "--resume");
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(metricsTmp) || Files.exists(reportTmp), "the killed writes' temporary files are gone");
        assertEquals("kept", Files.readString(out.resolve("mine.tmp")));
        assertEquals("kept", Files.readString(out.resolve(".notes." + uuid + ".tmp")));
    }

    @Test
    void resumeWithoutAValidCheckpointIsRefusedAndTheModelKept() throws Exception {
        Path out = dir.resolve("no-checkpoint");
        assertEquals(0, train(out).code());
        byte[] model = Files.readAllBytes(out.resolve("model/weights.safetensors"));
        try (var files = Files.walk(out.resolve("checkpoints"))) {
            for (Path p : files.filter(p -> p.getFileName().toString().equals("state.safetensors")).toList()) {
                Files.write(p, new byte[] {1, 2, 3});   // every checkpoint damaged
            }
        }
        assertOneLineError(train(out, "--resume"), "no valid checkpoint to continue from", "--overwrite");
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model/weights.safetensors")));
        // A scheduler that always passes --resume still starts a fresh directory.
        assertEquals(0, train(dir.resolve("fresh-resume"), "--resume").code());
    }

    @Test
    void aRunKilledBeforeItsFirstCheckpointResumesFromTheStart() throws Exception {
        Path reference = dir.resolve("unkilled");
        assertEquals(0, train(reference, "--set", "train.epochs=2").code());
        // What a kill leaves after an evaluation wrote the model and its metrics line but before its checkpoint:
        // only checkpoint 0, which a new run writes before anything else.
        Path out = dir.resolve("killed-early");
        assertEquals(0, train(out, "--set", "train.epochs=2").code());
        try (var files = Files.list(out.resolve("checkpoints"))) {
            for (Path p : files.filter(p -> !p.getFileName().toString().equals("epoch-000000")).toList()) {
                try (var inside = Files.walk(p)) {
                    for (Path f : inside.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
        assertTrue(Files.exists(out.resolve("checkpoints/epoch-000000/state.safetensors")), "checkpoint 0 is written");
        Result r = train(out, "--set", "train.epochs=2", "--resume");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Files.readAllBytes(reference.resolve("model/weights.safetensors")),
                Files.readAllBytes(out.resolve("model/weights.safetensors")), "ends where an unkilled run ends");
    }

    @Test
    void aRunKilledWhileWritingItsFirstCheckpointStartsAgain() throws Exception {
        Path reference = dir.resolve("unkilled-first");
        assertEquals(0, train(reference, "--set", "train.epochs=2").code());
        // What a kill during checkpoint 0's write leaves (found killing the synthetic-control run at random
        // times, 1 kill in 16): a checkpoints directory holding only a temporary checkpoint, nothing else.
        Path out = dir.resolve("killed-at-checkpoint-0");
        Path tmp = out.resolve("checkpoints/.tmp-epoch-000000-" + java.util.UUID.randomUUID());
        Files.createDirectories(tmp);
        Files.write(tmp.resolve("state.safetensors"), new byte[] {8, 0, 0});
        Files.writeString(out.resolve(OutputLock.NAME), "");
        Result r = train(out, "--set", "train.epochs=2", "--resume");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Files.readAllBytes(reference.resolve("model/weights.safetensors")),
                Files.readAllBytes(out.resolve("model/weights.safetensors")), "ends where an unkilled run ends");
        assertFalse(Files.exists(tmp), "the temporary checkpoint is cleared");
        // The same without --resume: not a run, so not refused as one.
        Path second = dir.resolve("killed-at-checkpoint-0-again");
        Path tmp2 = second.resolve("checkpoints/.tmp-epoch-000000-" + java.util.UUID.randomUUID());
        Files.createDirectories(tmp2);
        assertEquals(0, train(second, "--set", "train.epochs=2").code());
    }

    @Test
    void resumingAFinishedRunWhoseModelIsGoneStillEndsWithAModel() throws Exception {
        Path out = dir.resolve("model-gone");
        assertEquals(0, train(out).code());
        try (var files = Files.walk(out.resolve("model"))) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
        Result r = train(out, "--resume");
        assertEquals(0, r.code(), r.err());
        // Exit 0 means a model that loads at the printed path.
        ModelDirectory.read(new org.apache.hadoop.fs.Path(out.resolve("model").toString()), new Configuration());
    }

    @Test
    void aModelCaughtBetweenItsTwoRenamesStillLoadsAndIsPutBack() throws Exception {
        Path out = dir.resolve("switch");
        assertEquals(0, train(out).code());
        Configuration conf = new Configuration();
        org.apache.hadoop.fs.Path model = new org.apache.hadoop.fs.Path(out.resolve("model").toString());
        var before = ModelDirectory.read(model, conf);
        // The instant between "model → model.prev" and "model.next → model", plus a partial next.
        Files.move(out.resolve("model"), out.resolve("model.prev"));
        Files.createDirectories(out.resolve("model.next"));
        Files.write(out.resolve("model.next/weights.safetensors"), new byte[] {9});
        assertArrayEquals(before.params(), ModelDirectory.read(model, conf).params());
        ModelDirectory.write(model, conf, before);
        assertFalse(Files.exists(out.resolve("model.prev")));
        assertFalse(Files.exists(out.resolve("model.next")));
        assertArrayEquals(before.params(), ModelDirectory.read(model, conf).params());
    }

    @Test
    void resumingOnTheOtherGemmBackendIsAskedFor() throws Exception {
        Path out = dir.resolve("backend");
        assertEquals(0, train(out, "--set", "train.epochs=2", "--set", "train.maxSteps=3").code());
        String other = dev.seqtrain.nn.GemmBackend.describe().equals("java-vector") ? "native-blas" : "java-vector";
        try (var files = Files.walk(out.resolve("checkpoints"))) {
            for (Path p : files.filter(p -> p.getFileName().toString().equals("checkpoint.json")).toList()) {
                Files.writeString(p, Files.readString(p).replaceAll("\"gemm\"\\s*:\\s*\"[^\"]*\"", "\"gemm\":\"" + other + "\""));
            }
        }
        assertOneLineError(train(out, "--set", "train.epochs=2", "--resume"), "trained with GEMM " + other,
                "train.allowBackendChange=true");
        Result r = train(out, "--set", "train.epochs=2", "--set", "train.allowBackendChange=true", "--resume");
        assertEquals(0, r.code(), r.err());
    }
}
