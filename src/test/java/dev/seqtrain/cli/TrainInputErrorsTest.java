package dev.seqtrain.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train} refuses bad configs and bad data with one line naming the file (line, key) and the
 * problem, exit code 2 and no stack trace; with {@code data.badRecords=skip} it skips and counts.
 */
class TrainInputErrorsTest {
    @TempDir
    Path dir;

    record Result(int code, String err) {
    }

    Result train(String... sets) {
        List<String> args = new ArrayList<>(List.of("train", "--output", dir.resolve("run" + System.nanoTime()).toString(),
                "--master", "local[1]", "--sample-length", "0"));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), args.toArray(String[]::new));
        return new Result(code, err.toString());
    }

    void assertRefused(Result r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "expected '" + f + "' in: " + r.err());
        }
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(r.err().contains("\tat "));
    }

    Path file(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    String wideCsv(int rows, String extraRow) {
        StringBuilder b = new StringBuilder("id,label,t0,t1,t2,t3\n");
        for (int i = 0; i < rows; i++) {
            int label = i % 2;
            b.append(i).append(',').append(label);
            for (int t = 0; t < 4; t++) {
                b.append(',').append(label == 0 ? t * 0.1 : -t * 0.1);
            }
            b.append('\n');
        }
        return b.append(extraRow).toString();
    }

    @Test
    void configMistakesNameTheKey() throws Exception {
        Path corpus = file("c.txt", "hello world, hello spark. ".repeat(20));
        assertRefused(train("data.train=" + corpus, "train.learningrate=0.1"),
                "--set train.learningrate: unknown key 'train.learningrate'", "did you mean 'train.learningRate'");
        for (String[] bad : new String[][] {{"local[0]", "local mode needs at least one thread"},
                {"spak://127.0.0.1:7077", "not a Spark master URL"}}) {
            StringWriter e = new StringWriter();
            Path out = dir.resolve("master" + System.nanoTime());
            assertEquals(2, Main.run(new PrintWriter(e, true), "train", "--set", "data.train=" + corpus, "--master", bad[0],
                    "--output", out.toString()));
            assertTrue(e.toString().contains("--master " + bad[0] + ": " + bad[1]), e.toString());
            assertEquals(1, e.toString().strip().lines().count(), e.toString());
            assertFalse(Files.exists(out), "nothing written for a refused master");
        }
        Path twice = file("twice.properties", "data.train=" + corpus + "\nmodel.hidden=8\nmodel.hidden = 12\n");
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(err, true), "train", "--config", twice.toString(), "--output",
                dir.resolve("twice").toString(), "--master", "local[1]"));
        assertTrue(err.toString().contains(twice + ": key 'model.hidden' is given twice ('8', then '12')"), err.toString());
        assertRefused(train("data.train=" + corpus, "train.learningRate=-1"), "key 'train.learningRate' must be a number > 0");
        assertRefused(train("data.train=" + corpus, "train.averagingFrequency=0"), "key 'train.averagingFrequency'");
        assertRefused(train("data.train=" + corpus, "train.epochs=two"), "key 'train.epochs' must be an integer");
        assertRefused(train("model.task=lm"), "key 'data.train' is required");
        assertRefused(train("data.train=" + corpus, "model.task=classify"), "data.format=text trains a language model");
        assertRefused(train("data.train=x.csv", "data.format=csv-wide", "model.task=multilabel"),
                "multilabel needs per-step targets");
    }

    @Test
    void aModelTooLargeForTheHeapIsRefusedWithTheEstimate() throws Exception {
        Path corpus = file("tiny.txt", "to be or not to be, that is the question\n".repeat(40));
        // 1.6 billion parameters: 6.4 GB per copy, far beyond the test JVM's heap; refused before allocating.
        Result r = train("data.train=" + corpus, "data.seqLength=20", "model.hidden=20000");
        assertRefused(r, "model.hidden=20000", "parameters and needs about", "GB of heap on the driver", "the driver has");
    }

    @Test
    void divergenceStopsTheRunNamingEpochAndRoundAndSavesNothingNonFinite() throws Exception {
        // Regression targets near the float maximum: the first gradient overflows.
        StringBuilder csv = new StringBuilder("sequence_id,step,x0,y0\n");
        for (int i = 0; i < 20; i++) {
            for (int t = 0; t < 4; t++) {
                csv.append('s').append(i).append(',').append(t).append(',').append(t * 0.1).append(",3e38\n");
            }
        }
        Path data = file("huge.csv", csv.toString());
        Path out = dir.resolve("diverged");
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), "train", "--output", out.toString(), "--master", "local[1]",
                "--sample-length", "0", "--set", "data.format=csv-long", "--set", "data.train=" + data, "--set", "model.task=regress",
                "--set", "train.optimizer=sgd", "--set", "train.clipNorm=0", "--set", "train.epochs=3",
                "--set", "train.averagingFrequency=1", "--set", "model.hidden=4", "--set", "train.workers=1");
        assertEquals(1, code, err.toString());
        assertTrue(err.toString().matches("(?s)seqtrain: failed: training diverged: .* in epoch \\d+, round \\d+ .*"), err.toString());
        assertFalse(err.toString().contains("\tat "));
        // Nothing non-finite reached a model or checkpoint: the run stopped before writing any.
        assertFalse(Files.exists(out.resolve("model/weights.safetensors")));
        assertFalse(Files.exists(out.resolve("checkpoints/epoch-000001")));

        // With rollback: the epoch restarts at half the learning rate, twice, then the run gives up.
        err = new StringWriter();
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(console, true, StandardCharsets.UTF_8));
        try {
            code = Main.run(new PrintWriter(err, true), "train", "--output", dir.resolve("rolled").toString(), "--master",
                    "local[1]", "--sample-length", "0", "--set", "data.format=csv-long", "--set", "data.train=" + data,
                    "--set", "model.task=regress", "--set", "train.optimizer=sgd", "--set", "train.clipNorm=0",
                    "--set", "train.epochs=3", "--set", "train.averagingFrequency=1", "--set", "model.hidden=4",
                    "--set", "train.workers=1", "--set", "train.onDivergence=rollback", "--set", "train.maxRollbacks=2");
        } finally {
            System.setOut(old);
        }
        assertEquals(1, code, err.toString());
        String printed = console.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("(rollback 1 of 2)") && printed.contains("(rollback 2 of 2)"), printed);
        assertTrue(err.toString().contains("gave up after 2 rollbacks"), err.toString());
    }

    @Test
    void unseenCharactersAreAnErrorOrMapToTheUnknownSymbol() throws Exception {
        Path corpus = file("abc.txt", "abcabc cab bac. ".repeat(30));
        Path strict = dir.resolve("strict");
        Path mapped = dir.resolve("mapped");
        String[] common = {"--master", "local[1]", "--sample-length", "0", "--set", "data.train=" + corpus, "--set",
                "data.seqLength=10", "--set", "model.hidden=4", "--set", "train.epochs=1", "--set", "train.workers=1"};
        List<String> a = new ArrayList<>(List.of("train", "--output", strict.toString()));
        a.addAll(List.of(common));
        assertEquals(0, Main.run(new PrintWriter(new StringWriter(), true), a.toArray(String[]::new)));
        List<String> b = new ArrayList<>(List.of("train", "--output", mapped.toString(), "--set", "data.unknownChar=~"));
        b.addAll(List.of(common));
        assertEquals(0, Main.run(new PrintWriter(new StringWriter(), true), b.toArray(String[]::new)));

        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), "sample", "--model", strict.resolve("model").toString(), "--prime", "abz");
        assertEquals(2, code);
        assertTrue(err.toString().contains("--prime: character 'z' (U+007A) at position 2 is not in the model's vocabulary"),
                err.toString());
        assertEquals(0, Main.run(new PrintWriter(new StringWriter(), true), "sample", "--model", mapped.resolve("model").toString(),
                "--prime", "abz", "--length", "5"));
        assertTrue(Files.readString(mapped.resolve("model/model.json")).contains("\"unknownToken\" : \"~\""));
    }

    @Test
    void badTextIsRefused() throws Exception {
        Path empty = file("empty.txt", "");
        assertRefused(train("data.train=" + empty), "empty corpus");
        Path tiny = file("tiny.txt", "short text");
        assertRefused(train("data.train=" + tiny, "data.seqLength=50"), "fewer than one sequence needs (51");
        Path invalid = dir.resolve("bad-utf8.txt");
        byte[] bytes = "good text, then a bad byte: ".getBytes(StandardCharsets.UTF_8);
        byte[] withBad = java.util.Arrays.copyOf(bytes, bytes.length + 3);
        withBad[bytes.length] = (byte) 0xC3;
        withBad[bytes.length + 1] = (byte) 0x28;
        withBad[bytes.length + 2] = 'x';
        Files.write(invalid, withBad);
        assertRefused(train("data.train=" + invalid), "bad-utf8.txt: invalid UTF-8 at byte offset " + bytes.length);
        assertRefused(train("data.train=" + dir.resolve("missing.txt")), "missing.txt: no such file or directory");
    }

    /** Trains into {@code out} with these settings, expects success, and returns its metrics.jsonl. */
    private static String metricsOfARunWith(Path out, String master, List<String> settings) throws Exception {
        List<String> args = new ArrayList<>(List.of("train", "--output", out.toString(), "--master", master));
        for (String s : settings) {
            args.add("--set");
            args.add(s);
        }
        StringWriter err = new StringWriter();
        assertEquals(0, Main.run(new PrintWriter(err, true), args.toArray(String[]::new)), err.toString());
        return Files.readString(out.resolve("metrics.jsonl"));
    }

    @Test
    void badCsvRecordsFailOrAreSkippedAndCounted() throws Exception {
        Path csv = file("wide.csv", wideCsv(40, "41,1,0.5,oops,0.1,0.2\n42,0,0.1,0.2\n"));
        String[] base = {"data.format=csv-wide", "data.train=" + csv, "model.task=classify", "model.hidden=4",
                "train.epochs=1", "train.workers=1", "data.validFraction=0"};
        assertRefused(train(base), "wide.csv:42: column 't1' (step 1): 'oops' is not a number");

        List<String> skip = new ArrayList<>(List.of(base));
        skip.add("data.badRecords=skip");
        String metrics = metricsOfARunWith(dir.resolve("skipping"), "local[1]", skip);
        assertTrue(metrics.contains("\"skippedRecords\":{\"column-count\":1,\"not-a-number\":1}"), metrics);

        skip.add("data.maxBadRecords=1");
        assertRefused(train(skip.toArray(String[]::new)), "2 bad records skipped, more than data.maxBadRecords=1");

        Path zero = file("zero.csv", wideCsv(10, "99,1,,,,\n"));
        assertRefused(train("data.format=csv-wide", "data.train=" + zero, "model.task=classify", "train.workers=1"),
                "zero.csv:12: zero-length sequence");
        assertRefused(train("data.format=csv-wide", "data.train=" + csv, "model.task=classify", "data.maxSeqLength=3"),
                "4 value columns, longer than data.maxSeqLength=3");
        // More workers than examples is not an error: the empty ones contribute nothing (see EquivalenceTest).
        Path small = file("small.csv", wideCsv(3, ""));
        Result moreWorkersThanExamples = train("data.format=csv-wide", "data.train=" + small, "model.task=classify",
                "train.workers=5", "data.validFraction=0");
        assertEquals(0, moreWorkersThanExamples.code(), moreWorkersThanExamples.err());
    }

    @Test
    void aLineOverTheLimitIsOneBadRecordWhateverTheSplits() throws Exception {
        // The long line spans many 64-byte splits: the one holding its first byte refuses it, the others skip past it.
        String longRow = "20,1" + ",0.5".repeat(1000) + "\n";
        String rows = wideCsv(40, "");
        int cut = rows.indexOf("\n20,") + 1;
        Path csv = file("wide.csv", rows.substring(0, cut) + longRow + rows.substring(cut));
        String[] base = {"data.format=csv-wide", "data.train=" + csv, "model.task=classify", "model.hidden=4", "train.epochs=1",
                "train.workers=1", "data.validFraction=0", "data.maxLineBytes=100", "data.splitBytes=64"};
        assertRefused(train(base), "wide.csv:22: a line of 4004 bytes, longer than data.maxLineBytes=100");
        List<String> skip = new ArrayList<>(List.of(base));
        skip.add("data.badRecords=skip");
        String metrics = metricsOfARunWith(dir.resolve("skipping-long"), "local[2]", skip);
        assertTrue(metrics.contains("\"skippedRecords\":{\"line-too-long\":1}"), metrics);
        assertTrue(metrics.contains("\"examples\":40,"), "every other row trained on: " + metrics);

        // csv-long cannot cut a run around a line whose id it never read, and a header is no record: both refuse the file.
        Path longCsv = file("long.csv", "sequence_id,step,x0,label\na,0,1,0\na,1,2,0\nb,0," + "9".repeat(200) + ",1\nb,1,1,1\n");
        assertRefused(train("data.format=csv-long", "data.train=" + longCsv, "model.task=classify", "data.maxLineBytes=100",
                "data.badRecords=skip"), "long.csv:4: a line of 206 bytes", "csv-long cannot skip such a line");
        Path header = file("header.csv", "id,label" + ",v".repeat(100) + "\n1,0,0.5\n");
        assertRefused(train("data.format=csv-wide", "data.train=" + header, "model.task=classify", "data.maxLineBytes=100",
                "data.badRecords=skip"), "header.csv:1: a line of 208 bytes", "it is the header line");
    }

    @Test
    void validationFilesMustMatchTraining() throws Exception {
        Path train = file("train.csv", wideCsv(20, ""));
        Path valid = file("valid.csv", "id,label,v0,v1\n1,0,0.1,0.2\n");
        // Wide rows of different lengths are allowed (shorter sequences); a long-format feature mismatch is not.
        Path longTrain = file("long-train.csv", "sequence_id,step,x0,x1,label\na,0,1,2,0\na,1,1,2,0\nb,0,3,4,1\n");
        Path longValid = file("long-valid.csv", "sequence_id,step,x0,label\nc,0,1,0\n");
        assertRefused(train("data.format=csv-long", "data.train=" + longTrain, "data.valid=" + longValid,
                "model.task=classify", "train.workers=1"), "long-valid.csv: 1 feature and 0 target columns, but",
                "has 2 and 0");
        // A validation class no training sequence has would be an output that nothing ever trains.
        Path newClass = file("valid-new-class.csv", "id,label,v0,v1,v2,v3\n1,7,0.1,0.2,0.3,0.4\n");
        assertRefused(train("data.format=csv-wide", "data.train=" + train, "data.valid=" + newClass, "model.task=classify",
                "train.workers=1"), "valid-new-class.csv: validation label '7' is not among the training classes [0, 1]");
        Result ok = train("data.format=csv-wide", "data.train=" + train, "data.valid=" + valid, "model.task=classify",
                "train.epochs=1", "train.workers=1", "model.hidden=4");
        assertEquals(0, ok.code(), ok.err());
    }
}
