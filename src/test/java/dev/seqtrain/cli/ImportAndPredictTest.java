package dev.seqtrain.cli;

import dev.seqtrain.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code import-torch} then {@code predict} on PyTorch fixture weights reproduce PyTorch's outputs, and
 * bad weights or CSV rows are refused with one line naming the file, place and problem (exit code 2).
 */
class ImportAndPredictTest {
    @TempDir
    Path dir;

    static Map<String, Safetensors.Tensor> fixture(String name) throws Exception {
        try (InputStream in = ImportAndPredictTest.class.getResourceAsStream("/fixtures/" + name + ".safetensors")) {
            byte[] all = in.readAllBytes();
            return Safetensors.read(new ByteArrayInputStream(all), all.length, name);
        }
    }

    Path weightsOnly(Map<String, Safetensors.Tensor> f, String... drop) throws Exception {
        return weightsOnly(dir, f, drop);
    }

    /** Writes only the state_dict tensors (what torch would save) into {@code dir} and returns the file. */
    static Path weightsOnly(Path dir, Map<String, Safetensors.Tensor> f, String... drop) throws Exception {
        Map<String, Safetensors.Tensor> w = new LinkedHashMap<>();
        f.forEach((k, v) -> {
            if ((k.startsWith("rnn.") || k.startsWith("fc.")) && !List.of(drop).contains(k)) {
                w.put(k, v);
            }
        });
        Path p = dir.resolve("w" + System.nanoTime() + ".safetensors");
        try (FileOutputStream out = new FileOutputStream(p.toFile())) {
            Safetensors.write(out, w, null);
        }
        return p;
    }

    /** Softmax of PyTorch's logits {@code head[off..off+n)}, in double. */
    static double[] softmax(float[] head, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, head[off + j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += Math.exp(head[off + j] - max);
        }
        double[] p = new double[n];
        for (int j = 0; j < n; j++) {
            p[j] = Math.exp(head[off + j] - max) / sum;
        }
        return p;
    }

    record Result(int code, String err) {
    }

    static Result run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), args);
        return new Result(code, err.toString());
    }

    /** A one-layer model (5 inputs, 16 hidden, 4 outputs) imported from a PyTorch fixture into {@code name}. */
    private Path importedOneLayer(String fixtureName, String cell, String name) throws Exception {
        Path model = dir.resolve(name);
        assertEquals(0, run("import-torch", "--weights", weightsOnly(fixture(fixtureName)).toString(), "--cell", cell, "--input-size", "5",
                "--hidden-size", "16", "--output-size", "4", "--out", model.toString()).code());
        return model;
    }

    @Test
    void importedModelPredictsWhatPyTorchComputed() throws Exception {
        Map<String, Safetensors.Tensor> f = fixture("gru-classify-padded");
        Path model = dir.resolve("model");
        Result r = run("import-torch", "--weights", weightsOnly(f).toString(), "--cell", "gru", "--input-size", "3",
                "--hidden-size", "10", "--layers", "2", "--output-size", "5", "--task", "many-to-one", "--out", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(model.resolve("model.json")));

        // Input CSV from the fixture's time-major features, each sequence at its own length, steps in reverse.
        float[] x = f.get("input.features").data();
        float[] lengths = f.get("input.lengths").data();
        int batch = 4;
        int steps = 8;
        StringBuilder csv = new StringBuilder("sequence_id,step,x0,x1,x2\n");
        for (int b = 0; b < batch; b++) {
            for (int t = steps - 1; t >= 0; t--) {
                if (t < lengths[b]) {
                    int o = (t * batch + b) * 3;
                    csv.append("seq").append(b).append(',').append(t).append(',').append(x[o]).append(',').append(x[o + 1])
                            .append(',').append(x[o + 2]).append('\n');
                }
            }
        }
        Path in = dir.resolve("in.csv");
        Files.writeString(in, csv.toString());
        Path out = dir.resolve("out.csv");
        r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertEquals("sequence_id,p0,p1,p2,p3,p4", lines.get(0));
        float[] head = f.get("expected.head").data();
        Map<String, String[]> byId = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            byId.put(line.split(",")[0], line.split(","));
        }
        assertEquals(batch, byId.size());
        for (int b = 0; b < batch; b++) {
            String[] cells = byId.get("seq" + b);
            double[] expected = softmax(head, b * 5, 5);
            for (int j = 0; j < 5; j++) {
                assertEquals(expected[j], Double.parseDouble(cells[1 + j]), 1e-5, "seq" + b + " p" + j);
            }
        }
    }

    @Test
    void evaluateReproducesPyTorchsLoss() throws Exception {
        Map<String, Safetensors.Tensor> f = fixture("gru-classify-padded");
        Path model = dir.resolve("eval-model");
        assertEquals(0, run("import-torch", "--weights", weightsOnly(f).toString(), "--cell", "gru", "--input-size", "3",
                "--hidden-size", "10", "--layers", "2", "--output-size", "5", "--task", "many-to-one", "--out", model.toString()).code());
        float[] x = f.get("input.features").data();
        float[] lengths = f.get("input.lengths").data();
        float[] labels = f.get("target.classes").data();
        StringBuilder csv = new StringBuilder("sequence_id,step,x0,x1,x2,label\n");
        for (int b = 0; b < 4; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                int o = (t * 4 + b) * 3;
                csv.append("s").append(b).append(',').append(t).append(',').append(x[o]).append(',').append(x[o + 1]).append(',')
                        .append(x[o + 2]).append(',').append((int) labels[b]).append('\n');
            }
        }
        Path in = dir.resolve("labelled.csv");
        Files.writeString(in, csv.toString());
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        Result r;
        try {
            r = run("evaluate", "--model", model.toString(), "--data", in.toString());
        } finally {
            System.setOut(old);
        }
        assertEquals(0, r.code(), r.err());
        String expected = String.format("loss %.4f", f.get("expected.loss").data()[0]);
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains(expected), captured + " vs " + expected);

        Files.writeString(in, csv + "s9,0,0.1,0.2,0.3,9\n");
        r = run("evaluate", "--model", model.toString(), "--data", in.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("sequence 's9': label '9' is not one of the classes [0, 1, 2, 3, 4]"), r.err());
    }

    @Test
    void manyToManyPredictionHasOneRowPerStep() throws Exception {
        Map<String, Safetensors.Tensor> f = fixture("lstm-tokens");
        Path model = dir.resolve("m2");
        assertEquals(0, run("import-torch", "--weights", weightsOnly(f).toString(), "--cell", "lstm", "--input-size", "9",
                "--token-input", "--hidden-size", "10", "--layers", "2", "--output-size", "9", "--out", model.toString()).code());
        Path in = dir.resolve("tokens.csv");
        Files.writeString(in, "sequence_id,step,x0\na,0,3\na,2,0\na,1,4\nb,0,8\n");
        Path out = dir.resolve("p.csv");
        Result r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(List.of("a,0", "a,1", "a,2", "b,0"), lines.subList(1, 5).stream()
                .map(l -> l.split(",")[0] + "," + l.split(",")[1]).toList());
        double sum = 0;
        for (String c : lines.get(1).split(",", 3)[2].split(",")) {
            sum += Double.parseDouble(c);
        }
        assertEquals(1.0, sum, 1e-5);
    }

    @Test
    void badWeightsAreRefusedWithTheFileAndProblem() throws Exception {
        Map<String, Safetensors.Tensor> f = fixture("lstm-l1");
        String[] flags = {"--cell", "lstm", "--input-size", "5", "--hidden-size", "16", "--output-size", "4", "--out",
                dir.resolve("bad").toString()};
        Path missing = weightsOnly(f, "rnn.bias_hh_l0");
        Result r = run(concat(new String[] {"import-torch", "--weights", missing.toString()}, flags));
        assertEquals(2, r.code());
        assertTrue(r.err().contains(missing.getFileName().toString()) && r.err().contains("missing tensor rnn.bias_hh_l0"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());

        Path good = weightsOnly(f);
        r = run(concat(new String[] {"import-torch", "--weights", good.toString()}, flags).clone());
        assertEquals(0, r.code(), r.err());
        String[] wrongHidden = flags.clone();
        wrongHidden[5] = "15";
        r = run(concat(new String[] {"import-torch", "--weights", good.toString()}, wrongHidden));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("has shape [64, 5], expected [60, 5]"), r.err());

        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        r = run(concat(new String[] {"import-torch", "--weights", truncated.toString()}, flags));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("truncated.safetensors"), r.err());

        Path huge = dir.resolve("huge.safetensors");
        byte[] h = bytes.clone();
        h[7] = 0x7f;   // header length ~ 9e18
        Files.write(huge, h);
        r = run(concat(new String[] {"import-torch", "--weights", huge.toString()}, flags));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("header claims"), r.err());
    }

    @Test
    void badCsvRowsNameTheLine() throws Exception {
        Path model = importedOneLayer("lstm-l1", "lstm", "m3");
        String header = "sequence_id,step,x0,x1,x2,x3,x4\n";
        assertCsvError(model, header + "a,0,1,2,3,4,5\na,1,1,2,3,4\n", ":3: 6 columns, the header has 7");
        assertCsvError(model, header + "a,0,1,2,3,4,5\na,1,1,2,oops,4,5\n", ":3: column x2: 'oops' is not a number");
        assertCsvError(model, header + "a,0,1,2,3,4,NaN\n", ":2: column x4: NaN is not a finite number");
        assertCsvError(model, header + "a,0,1,2,3,4,5\na,2,1,2,3,4,5\n", "sequence 'a' has no step 1");
        assertCsvError(model, header + "a,0,1,2,3,4,5\na,0,1,2,3,4,5\n", ":3: sequence 'a' repeats step 0 (first at line 2)");
        assertCsvError(model, header + "a,0,1,2,3,4,5\nb,0,1,2,3,4,5\na,1,1,2,3,4,5\n",
                ":4: sequence 'a' has no step 0 (steps must be 0..1, each once); a sequence's rows must be consecutive");
        assertCsvError(model, "", "empty file");
        assertCsvError(model, "sequence_id,step,x0,x0,x2,x3,x4\na,0,1,2,3,4,5\n", "column 'x0' appears twice");
        assertCsvError(model, "id,x0,x1\na,1,2\n", "header must start with 'sequence_id,step'");
        assertCsvError(model, "sequence_id,step,x0,x1\na,0,1,2\n", "2 feature columns, the model expects 5");
    }

    @Test
    void badModelFilesAreRefused() throws Exception {
        Path model = importedOneLayer("rnn-l1", "rnn", "m4");
        Path in = dir.resolve("one.csv");
        Files.writeString(in, "sequence_id,step,x0,x1,x2,x3,x4\na,0,1,2,3,4,5\n");
        String json = Files.readString(model.resolve("model.json"));
        Files.writeString(model.resolve("model.json"), json.replace("\"cell\" : \"rnn\"", "\"cell\" : \"lstmx\""));
        Result r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output", dir.resolve("x.csv").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model.json: unknown cell type 'lstmx'"), r.err());
        Files.writeString(model.resolve("model.json"), json);
        byte[] w = Files.readAllBytes(model.resolve("weights.safetensors"));
        w[w.length - 1] ^= 1;   // one flipped bit in the last weight
        Files.write(model.resolve("weights.safetensors"), w);
        r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output", dir.resolve("x.csv").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("SHA-256 does not match"), r.err());
        Files.delete(model.resolve("weights.safetensors"));
        r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output", dir.resolve("x.csv").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("weights.safetensors: file not found"), r.err());
        r = run("sample", "--model", dir.resolve("nowhere").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model.json: file not found"), r.err());
        // Lengths that would print nothing or run until killed, and a temperature that divides by zero.
        r = run("sample", "--model", model.toString(), "--length", "-5");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--length -5: must be between 0 and 10000000"), r.err());
        r = run("sample", "--model", model.toString(), "--length", "2000000000");
        assertEquals(2, r.code());
        r = run("sample", "--model", model.toString(), "--temperature", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--temperature 0.0: must be a number > 0"), r.err());
    }

    @Test
    void aLineOverTheLimitIsRefusedWithoutBeingRead() throws Exception {
        Path model = importedOneLayer("lstm-l1", "lstm", "m5");
        Path in = dir.resolve("long-line.csv");
        Files.writeString(in, "sequence_id,step,x0,x1,x2,x3,x4\na,0,1,2,3,4,5\nb,0," + "1,".repeat(300) + "5\n");
        Result r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output", dir.resolve("o.csv").toString(),
                "--max-line-bytes", "100");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("long-line.csv:3: a line of 605 bytes, longer than data.maxLineBytes=100"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(Files.notExists(dir.resolve("o.csv")), "no output");
        r = run("evaluate", "--model", model.toString(), "--data", in.toString(), "--max-line-bytes", "100");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("long-line.csv:3: a line of 605 bytes"), r.err());
    }

    @Test
    void skipBadRecordsPredictsTheGoodSequencesAndCountsTheRest() throws Exception {
        Path model = importedOneLayer("lstm-l1", "lstm", "m7");
        Path in = dir.resolve("some-bad.csv");
        Files.writeString(in, "sequence_id,step,x0,x1,x2,x3,x4\na,0,1,2,3,4,5\nb,0,1,oops,3,4,5\nb,1,1,2,3,4,5\n"
                + "c,0,1,2,3,4\nd,0,5,4,3,2,1\n");
        Path out = dir.resolve("some-bad-predictions.csv");
        Result refused = run("predict", "--model", model.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(2, refused.code(), refused.err());
        assertTrue(Files.notExists(out));
        Result r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output", out.toString(), "--skip-bad-records");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("skipped 2 bad records {column-count=1, not-a-number=1}; the first: ")
                && r.err().contains("some-bad.csv:3: column x1: 'oops' is not a number"), r.err());
        List<String> ids = Files.readAllLines(out).stream().skip(1).map(l -> l.substring(0, l.indexOf(','))).distinct().toList();
        assertEquals(List.of("a", "d"), ids, "the good sequences, and only them");
    }

    @Test
    void anOutputThatIsADirectoryIsRefusedBeforeAnythingIsRead() throws Exception {
        Path model = importedOneLayer("lstm-l1", "lstm", "m6");
        Path in = dir.resolve("two.csv");
        Files.writeString(in, "sequence_id,step,x0,x1,x2,x3,x4\na,0,1,2,3,4,5\n");
        Path taken = Files.createDirectories(dir.resolve("a-directory"));
        Result r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output", taken.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("a-directory: is a directory; name the file to write"), r.err());
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    void assertCsvError(Path model, String csv, String expected) throws Exception {
        Path in = dir.resolve("bad" + System.nanoTime() + ".csv");
        Files.writeString(in, csv);
        Result r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output", dir.resolve("o.csv").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(in.getFileName().toString()) && r.err().contains(expected), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
