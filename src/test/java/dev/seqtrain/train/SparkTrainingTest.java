package dev.seqtrain.train;

import dev.seqtrain.cli.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
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
 * End-to-end training through the command line in Spark local mode: determinism, task retries,
 * resuming after an interruption, damaged checkpoints, and refusing to overwrite a run.
 */
class SparkTrainingTest {
    @TempDir
    static Path dir;
    static Path corpus;
    static Path config;

    @BeforeAll
    static void smallCorpus() throws Exception {
        String text = Files.readString(Path.of("data/tinyshakespeare/input.txt"), StandardCharsets.UTF_8);
        corpus = dir.resolve("small.txt");
        Files.writeString(corpus, text.substring(0, 24_000));
        config = dir.resolve("small.properties");
        Files.writeString(config, String.join("\n",
                "data.format=text", "data.train=" + corpus, "data.seqLength=40", "data.validFraction=0.1",
                "model.task=lm", "model.hidden=16", "train.batchSize=16", "train.workers=2", "train.averagingFrequency=4",
                "train.learningRate=0.01", "train.seed=3", "train.epochs=3", ""));
    }

    static int train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--config", config.toString(), "--output", out.toString(),
                "--master", "local[2]", "--sample-length", "0"));
        args.addAll(Arrays.asList(extra));
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), args.toArray(String[]::new));
        if (code != 0) {
            System.err.println(err);
        }
        return code;
    }

    static byte[] weights(Path run) throws Exception {
        return Files.readAllBytes(run.resolve("model/weights.safetensors"));
    }

    @Test
    void runInStepsResumesMidEpochToTheSameBytes() throws Exception {
        // Uninterrupted: 20 steps per worker, evaluations every 3 rounds (of 4 batches), ending mid-epoch.
        // With block momentum: its Δ is part of what a checkpoint must hold for the resume to match.
        String[] steps = {"--set", "train.evalEvery=3", "--set", "train.averagingFrequency=1", "--set", "train.epochs=9",
                "--set", "train.blockMomentum=0.5"};
        Path whole = dir.resolve("steps-whole");
        assertEquals(0, train(whole, concat(steps, "--set", "train.maxSteps=20")));
        // Interrupted after 7 steps (a mid-epoch checkpoint at a step budget), then resumed to 20.
        Path split = dir.resolve("steps-split");
        assertEquals(0, train(split, concat(steps, "--set", "train.maxSteps=7")));
        var ckpt = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                Files.readString(split.resolve("checkpoints/epoch-000003/checkpoint.json")));
        assertEquals(7, ckpt.path("steps").asLong());
        assertTrue(ckpt.path("nextRound").asInt() > 0, "stopped inside an epoch: " + ckpt);
        assertEquals(0, train(split, concat(steps, "--set", "train.maxSteps=20", "--resume")));
        assertArrayEquals(weights(whole), weights(split));
        List<String> metrics = Files.readAllLines(whole.resolve("metrics.jsonl"));
        assertTrue(metrics.get(metrics.size() - 1).contains("\"steps\":20"), metrics.get(metrics.size() - 1));
        // The resumed run kept the first run's history and ends with the same validation loss.
        List<String> resumed = Files.readAllLines(split.resolve("metrics.jsonl"));
        assertEquals(validLoss(metrics.get(0)), validLoss(resumed.get(0)), "the history before the interruption is kept");
        assertTrue(resumed.get(2).contains("\"steps\":7"), resumed.get(2));
        assertEquals(validLoss(metrics.get(metrics.size() - 1)), validLoss(resumed.get(resumed.size() - 1)));
    }

    private static double validLoss(String line) {
        return Double.parseDouble(line.replaceAll(".*\"validLoss\":([0-9.]+).*", "$1"));
    }

    @Test
    void resumeOntoAChangedVocabularyIsRefused() throws Exception {
        Path run = dir.resolve("vocab");
        Path edited = dir.resolve("edited.txt");
        Files.writeString(edited, Files.readString(corpus, StandardCharsets.UTF_8));
        assertEquals(0, train(run, "--set", "data.train=" + edited, "--set", "train.epochs=1"));
        // The corpus gains a character between the run and its resume: every later embedding row would shift.
        Files.writeString(edited, Files.readString(corpus, StandardCharsets.UTF_8) + "~");
        List<String> args = new ArrayList<>(List.of("train", "--config", config.toString(), "--output", run.toString(),
                "--master", "local[2]", "--sample-length", "0", "--set", "data.train=" + edited, "--set", "train.epochs=2",
                "--resume"));
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(err, true), args.toArray(String[]::new)));
        assertTrue(err.toString().contains("cannot resume: the data's vocabulary changed since the checkpoint"), err.toString());
    }

    @Test
    void aCorpusWithoutNewlinesStillEndsWithExitZeroAndASample() throws Exception {
        Path flat = dir.resolve("flat.txt");
        Files.writeString(flat, Files.readString(corpus, StandardCharsets.UTF_8).replace("\n", " "));
        Path run = dir.resolve("flat");
        List<String> args = new ArrayList<>(List.of("train", "--config", config.toString(), "--output", run.toString(),
                "--master", "local[2]", "--sample-length", "20", "--set", "data.train=" + flat, "--set", "train.epochs=1"));
        StringWriter err = new StringWriter();
        assertEquals(0, Main.run(new PrintWriter(err, true), args.toArray(String[]::new)), err.toString());
        assertTrue(Files.exists(run.resolve("model/weights.safetensors")));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void sameConfigAndPartitionsGiveByteIdenticalWeights() throws Exception {
        assertEquals(0, train(dir.resolve("a1")));
        assertEquals(0, train(dir.resolve("a2")));
        assertArrayEquals(weights(dir.resolve("a1")), weights(dir.resolve("a2")));
        List<String> metrics = Files.readAllLines(dir.resolve("a1/metrics.jsonl"));
        assertEquals(3, metrics.size());
        assertTrue(metrics.get(0).contains("\"executors\":[{\"id\":"), metrics.get(0));
        double first = Double.parseDouble(metrics.get(0).replaceAll(".*\"validLoss\":([0-9.]+).*", "$1"));
        double last = Double.parseDouble(metrics.get(2).replaceAll(".*\"validLoss\":([0-9.]+).*", "$1"));
        assertTrue(last < first, "validation loss fell: " + first + " -> " + last);
        // Memory of the driver and the executors, and the report, come with every epoch.
        var memory = new com.fasterxml.jackson.databind.ObjectMapper().readTree(metrics.get(2)).path("memory");
        assertTrue(memory.path("driver").path("heapAfterGcMb").asDouble() > 0, memory.toString());
        assertTrue(memory.path("driver").path("peakRssMb").asDouble() >= memory.path("driver").path("rssMb").asDouble());
        assertTrue(memory.path("executors").size() >= 1, memory.toString());
        assertTrue(Files.readString(dir.resolve("a1/report.html")).contains("<td>3</td>"));
        assertTrue(Files.size(dir.resolve("a1/loss.png")) > 1000);
    }

    @Test
    void aRetriedTaskReturnsTheSameResult() throws Exception {
        assertEquals(0, train(dir.resolve("b1")));
        int before = ParameterAveragingTrainer.INJECTED_FAILURES.get();
        System.setProperty(ParameterAveragingTrainer.FAIL_FIRST_ATTEMPT, "true");
        try {
            List<String> args = new ArrayList<>(List.of("train", "--config", config.toString(), "--output",
                    dir.resolve("b2").toString(), "--master", "local[2,2]", "--sample-length", "0"));
            assertEquals(0, Main.run(new PrintWriter(new StringWriter(), true), args.toArray(String[]::new)));
        } finally {
            System.clearProperty(ParameterAveragingTrainer.FAIL_FIRST_ATTEMPT);
        }
        assertEquals(before + 1, ParameterAveragingTrainer.INJECTED_FAILURES.get(), "the first attempt failed once");
        assertArrayEquals(weights(dir.resolve("b1")), weights(dir.resolve("b2")));
    }

    @Test
    void resumingEndsWithTheWeightsOfAnUninterruptedRun() throws Exception {
        assertEquals(0, train(dir.resolve("c1")));
        Path interrupted = dir.resolve("c2");
        assertEquals(0, train(interrupted, "--set", "train.epochs=1"));
        assertEquals(0, train(interrupted, "--resume"));
        assertArrayEquals(weights(dir.resolve("c1")), weights(interrupted));
        assertEquals(3, Files.readAllLines(interrupted.resolve("metrics.jsonl")).size());
    }

    @Test
    void aDamagedCheckpointIsReportedAndThePreviousOneUsed() throws Exception {
        assertEquals(0, train(dir.resolve("d1")));
        Path run = dir.resolve("d2");
        assertEquals(0, train(run, "--set", "train.epochs=2"));
        Path newest = run.resolve("checkpoints/epoch-000002/state.safetensors");
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, Arrays.copyOf(bytes, bytes.length / 2));
        assertEquals(0, train(run, "--resume"));
        // Resumed from epoch 1, re-ran epochs 2 and 3: the same end as never interrupted.
        assertArrayEquals(weights(dir.resolve("d1")), weights(run));
    }

    @Test
    void anOutputHoldingARunIsRefused() throws Exception {
        Path run = dir.resolve("e1");
        assertEquals(0, train(run, "--set", "train.epochs=1"));
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), "train", "--config", config.toString(), "--output", run.toString(),
                "--master", "local[1]");
        assertEquals(2, code);
        assertTrue(err.toString().contains("already holds a run"), err.toString());
        assertFalse(err.toString().contains("\tat "));
    }
}
