package dev.seqtrain.cluster;

import dev.seqtrain.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code evaluate} and {@code predict} read and write files four times the heap: a JVM with a 48 MB
 * heap evaluates a 205 MB wide CSV and predicts a 205 MB long CSV, both the test set of synthetic
 * control repeated, and gets the test set's own loss and, for every copy, the test set's predictions.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StreamingCommandsIT {
    private static final long DATA_BYTES = 205_000_000L;
    private static final String HEAP = "-Xmx48m";

    @Test
    void evaluateAndPredictStreamFilesFourTimesTheHeap() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-streaming-");
        Path run = work.resolve("run");
        StringWriter err = new StringWriter();
        assertEquals(0, Main.run(new PrintWriter(err, true), "train", "--config", "conf/synthetic-control.properties",
                "--output", run.toString(), "--master", "local[1]", "--sample-length", "0", "--set", "train.epochs=2"), err.toString());
        String model = run.resolve("model").toString();

        List<String> test = Files.readAllLines(Path.of("data/synthetic_control/test.csv"));
        Path wide = work.resolve("wide.csv");
        Path longCsv = work.resolve("long.csv");
        int copies = 0;
        try (BufferedWriter w = Files.newBufferedWriter(wide); BufferedWriter l = Files.newBufferedWriter(longCsv)) {
            w.write(test.get(0) + "\n");
            l.write("sequence_id,step,x0\n");
            while (Files.size(wide) < DATA_BYTES || Files.size(longCsv) < DATA_BYTES) {
                for (String row : test.subList(1, test.size())) {
                    String[] cells = row.split(",");
                    w.write(copies + "-" + row + "\n");
                    for (int t = 2; t < cells.length; t++) {
                        l.write(copies + "-" + cells[0] + "," + (t - 2) + "," + cells[t] + "\n");
                    }
                }
                copies++;
                w.flush();
                l.flush();
            }
        }
        assertTrue(Files.size(wide) >= 4L * 48 * 1024 * 1024 && Files.size(longCsv) >= 4L * 48 * 1024 * 1024);

        String once = command(work, "evaluate", "--model", model, "--data", "data/synthetic_control/test.csv", "--format", "csv-wide");
        String all = command(work, "evaluate", "--model", model, "--data", wide.toString(), "--format", "csv-wide");
        int n = test.size() - 1;
        assertTrue(all.contains(": " + copies * n + " sequences"), all);
        assertEquals(lossOf(once), lossOf(all), all + " vs " + once);

        Path predictions = work.resolve("predictions.csv");
        String said = command(work, "predict", "--model", model, "--input", longCsv.toString(), "--output", predictions.toString());
        assertTrue(said.contains("predictions for " + copies * n + " sequences"), said);
        List<String> first = new ArrayList<>();
        long rows = 0;
        try (BufferedReader r = Files.newBufferedReader(predictions, StandardCharsets.UTF_8)) {
            r.readLine();
            for (String line; (line = r.readLine()) != null; rows++) {
                String[] idAndRest = line.split(",", 2);
                String copy = idAndRest[0].substring(0, idAndRest[0].indexOf('-'));
                String values = idAndRest[0].substring(idAndRest[0].indexOf('-')) + "," + idAndRest[1];
                if (copy.equals("0")) {
                    first.add(values);
                } else {
                    assertEquals(first.get((int) (rows % n)), values, "copy " + copy + " predicts what copy 0 does");
                }
            }
        }
        assertEquals((long) copies * n, rows);
        for (Path big : List.of(wide, longCsv, predictions)) {
            Files.delete(big);
        }
    }

    /** The loss figure of an evaluate line (the mean over sequences, printed to four decimals). */
    private static String lossOf(String line) {
        int at = line.indexOf("loss ");
        return line.substring(at, line.indexOf(',', at));
    }

    /** Runs a seqtrain command in a JVM with the small heap and returns its output; it must exit 0. */
    private static String command(Path work, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("scripts/seqtrain"));
        cmd.addAll(List.of(args));
        Path log = work.resolve(args[0] + "-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SEQTRAIN_JAVA_OPTS", HEAP);
        Process p = pb.start();
        if (!p.waitFor(4, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + Files.readString(log));
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
