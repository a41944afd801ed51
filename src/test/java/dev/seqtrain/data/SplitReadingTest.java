package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading through input splits: the same file read as one split and as many tiny ones gives the same
 * examples under the same ordinals (records crossing split borders included), compressed copies give
 * the same as the plain file, globs and lists name files in order, and bad records keep their line.
 */
class SplitReadingTest {
    private static JavaSparkContext sc;
    @TempDir
    static Path dir;

    @BeforeAll
    static void spark() {
        sc = dev.seqtrain.LocalSpark.start("splits");
    }

    @AfterAll
    static void stop() {
        sc.close();
    }

    private static SparkDataset.Settings settings(String format, String task, String train, String valid, long splitBytes,
                                                  boolean skip, long validMax) {
        return new SparkDataset.Settings(format, task, train, valid, 0.2, 20, 7, "id", "label", skip, 1000, 100000, 5, "",
                splitBytes, validMax, 1 << 20);
    }

    /** Every example, by key, as its encoded bytes (the codec is deterministic, so equal bytes = equal examples). */
    private static TreeMap<Long, byte[]> examples(SparkDataset.Loaded d) {
        TreeMap<Long, byte[]> m = new TreeMap<>();
        for (Tuple2<Long, byte[]> t : d.examples().keyed().collect()) {
            m.put(t._1(), t._2());
        }
        return m;
    }

    private static void assertSameExamples(TreeMap<Long, byte[]> a, TreeMap<Long, byte[]> b) {
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), "example " + k));
    }

    /** Text with two- to four-byte characters, CRLF line ends and a byte-order mark. */
    private static String corpus(int lines, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        String[] words = {"to", "be", "or", "nöt", "ça", "€uro", "𝄞clef", "naïve", "x"};
        StringBuilder b = new StringBuilder("\uFEFF");
        for (int i = 0; i < lines; i++) {
            int n = 1 + rng.nextInt(9);
            for (int w = 0; w < n; w++) {
                b.append(words[rng.nextInt(words.length)]).append(w + 1 < n ? " " : "");
            }
            b.append(rng.nextInt(4) == 0 ? "\n" : "\r\n");
        }
        return b.toString();
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return p;
    }

    @Test
    void textInTinySplitsEqualsOneSplitAndTheWholeString() throws IOException {
        String text = corpus(3000, 1);
        Path file = write("corpus.txt", text.getBytes(StandardCharsets.UTF_8));
        SparkDataset.Loaded one = SparkDataset.load(sc, settings("text", "lm", file.toString(), "", 1L << 30, false, 0));
        SparkDataset.Loaded tiny = SparkDataset.load(sc, settings("text", "lm", file.toString(), "", 997, false, 0));
        assertTrue(file.toFile().length() / 997 > 20, "many splits");
        assertSameExamples(examples(one), examples(tiny));
        assertEquals(one.vocabulary(), tiny.vocabulary());
        assertEquals(one.trainCount(), tiny.trainCount());

        // The reference: the decoded text without BOM and with CRLF as LF, windows of 21 characters every 7.
        String clean = text.substring(1).replace("\r\n", "\n");
        int[] cps = clean.codePoints().toArray();
        assertTrue(!one.vocabulary().contains("\r") && !one.vocabulary().contains("\uFEFF"));
        long windows = (cps.length - 21) / 7 + 1;
        assertEquals(windows, one.trainCount() + one.validCount());
        // Training ordinal 0 is the first window not held out; check every training window against the reference.
        int[] distinct = clean.codePoints().sorted().distinct().toArray();
        java.util.Map<Integer, Integer> id = new java.util.HashMap<>();
        for (int i = 0; i < distinct.length; i++) {
            id.put(distinct[i], i);
        }
        TreeMap<Long, byte[]> got = examples(one);
        long t = 0;
        for (long k = 0; k < windows; k++) {
            if (HoldOut.isValidation(HoldOut.recordKey(0, k), 5, 0.2)) {
                continue;
            }
            int[] x = new int[20];
            int[] y = new int[20];
            for (int i = 0; i < 20; i++) {
                x[i] = id.get(cps[(int) (k * 7 + i)]);
                y[i] = id.get(cps[(int) (k * 7 + i + 1)]);
            }
            SequenceExample e = ExampleCodec.decode(got.get(t++));
            assertArrayEquals(x, e.tokens(), "window " + k);
            assertArrayEquals(y, e.stepLabels(), "window " + k);
        }
        assertEquals(one.trainCount(), t);
    }

    @Test
    void compressedFilesGlobsAndListsReadTheSameExamples() throws IOException {
        String text = corpus(800, 2);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Path plain = write("c/plain.txt", bytes);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz)) {
            o.write(bytes);
        }
        Path gzFile = write("c/copy.txt.gz", gz.toByteArray());
        ByteArrayOutputStream zst = new ByteArrayOutputStream();
        try (OutputStream o = new com.github.luben.zstd.ZstdOutputStream(zst)) {
            o.write(bytes);
        }
        Path zstFile = write("c/copy.txt.zst", zst.toByteArray());
        ByteArrayOutputStream bz = new ByteArrayOutputStream();
        var bzip2 = new org.apache.hadoop.io.compress.BZip2Codec();
        bzip2.setConf(new org.apache.hadoop.conf.Configuration());
        try (OutputStream o = bzip2.createOutputStream(bz)) {
            o.write(bytes);
        }
        Path bzFile = write("c/copy.txt.bz2", bz.toByteArray());
        TreeMap<Long, byte[]> reference = examples(SparkDataset.load(sc, settings("text", "lm", plain.toString(), "", 500, false, 0)));
        for (Path p : List.of(gzFile, zstFile, bzFile)) {
            assertSameExamples(reference, examples(SparkDataset.load(sc, settings("text", "lm", p.toString(), "", 500, false, 0))));
        }
        // A list and a glob name files in the order given, each entry's files sorted: part-1 before part-2.
        String first = corpus(200, 3);
        String second = corpus(200, 4);
        Path p1 = write("parts/part-1.txt", first.getBytes(StandardCharsets.UTF_8));
        Path p2 = write("parts/part-2.txt", second.getBytes(StandardCharsets.UTF_8));
        TreeMap<Long, byte[]> glob = examples(SparkDataset.load(sc, settings("text", "lm", dir.resolve("parts/part-*.txt").toString(),
                "", 300, false, 0)));
        TreeMap<Long, byte[]> list = examples(SparkDataset.load(sc, settings("text", "lm", p1 + "," + p2, "", 0, false, 0)));
        assertSameExamples(glob, list);
        assertThrows(BadInputException.class, () -> SparkDataset.load(sc, settings("text", "lm",
                dir.resolve("parts/nothing-*.txt").toString(), "", 0, false, 0)));
    }

    /** Long CSV with sequences of 1 to 30 steps, rows of a sequence together but in shuffled step order. */
    private static String longCsv(int sequences, long seed, int badLine) {
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder("sequence_id,step,x0,x1,label\r\n");
        int line = 2;
        for (int s = 0; s < sequences; s++) {
            int len = 1 + rng.nextInt(30);
            List<Integer> steps = new ArrayList<>();
            for (int t = 0; t < len; t++) {
                steps.add(t);
            }
            java.util.Collections.shuffle(steps, new java.util.Random(rng.nextLong()));
            String label = "c" + (s % 3);
            for (int t : steps) {
                String x0 = line == badLine ? "oops" : String.format("%.3f", rng.nextDouble());
                b.append("s").append(s).append(',').append(t).append(',').append(x0).append(',')
                        .append(String.format("%.3f", rng.nextDouble() * 10)).append(',').append(label).append("\r\n");
                line++;
            }
        }
        return b.toString();
    }

    @Test
    void longCsvSequencesAcrossSplitBordersAndWideRows() throws IOException {
        Path file = write("long.csv", longCsv(400, 5, -1).getBytes(StandardCharsets.UTF_8));
        SparkDataset.Loaded one = SparkDataset.load(sc, settings("csv-long", "classify", file.toString(), "", 0, false, 0));
        SparkDataset.Loaded tiny = SparkDataset.load(sc, settings("csv-long", "classify", file.toString(), "", 333, false, 0));
        assertTrue(file.toFile().length() / 333 > 50);
        assertEquals(400, one.trainCount() + one.validCount());
        assertSameExamples(examples(one), examples(tiny));
        assertArrayEquals(one.featureMean(), tiny.featureMean());
        assertArrayEquals(one.featureStd(), tiny.featureStd());
        assertEquals(List.of("c0", "c1", "c2"), tiny.classes());

        StringBuilder wide = new StringBuilder("id,label,v0,v1,v2,v3\n");
        for (int i = 0; i < 500; i++) {
            wide.append("r").append(i).append(',').append(i % 2).append(',').append(i).append(',').append(i * 0.5).append(',')
                    .append(i % 7).append(',').append(i % 3 == 0 ? "" : "1.5").append(i % 5 == 0 ? "\r\n" : "\n");
        }
        Path w = write("wide.csv", wide.toString().getBytes(StandardCharsets.UTF_8));
        assertSameExamples(examples(SparkDataset.load(sc, settings("csv-wide", "classify", w.toString(), "", 0, false, 0))),
                examples(SparkDataset.load(sc, settings("csv-wide", "classify", w.toString(), "", 101, false, 0))));
    }

    @Test
    void badRecordsKeepTheirLineWithManySplits() throws IOException {
        String csv = longCsv(300, 6, 2345);
        Path file = write("bad.csv", csv.getBytes(StandardCharsets.UTF_8));
        BadInputException e = assertThrows(BadInputException.class,
                () -> SparkDataset.load(sc, settings("csv-long", "classify", file.toString(), "", 211, false, 0)));
        assertEquals("file:" + file + ":2345: column x0: 'oops' is not a number", e.getMessage());
        SparkDataset.Loaded skipped = SparkDataset.load(sc, settings("csv-long", "classify", file.toString(), "", 211, true, 0));
        assertEquals(java.util.Map.of(BadRecordException.NOT_A_NUMBER, 1L), skipped.skippedByReason());
        assertEquals(299, skipped.trainCount() + skipped.validCount());

        byte[] bytes = corpus(500, 7).getBytes(StandardCharsets.UTF_8);
        int at = bytes.length / 2;
        while ((bytes[at] & 0xC0) == 0x80) {
            at++;
        }
        bytes[at] = (byte) 0xFF;
        Path broken = write("broken.txt", bytes);
        BadInputException u = assertThrows(BadInputException.class,
                () -> SparkDataset.load(sc, settings("text", "lm", broken.toString(), "", 256, false, 0)));
        assertEquals("file:" + broken + ": invalid UTF-8 at byte offset " + at, u.getMessage());
    }

    @Test
    void anEmptyValidationFileIsAnError() throws IOException {
        Path train = write("v/train.txt", corpus(300, 9).getBytes(StandardCharsets.UTF_8));
        Path empty = write("v/empty.txt", new byte[0]);
        BadInputException e = assertThrows(BadInputException.class,
                () -> SparkDataset.load(sc, settings("text", "lm", train.toString(), empty.toString(), 0, false, 0)));
        assertTrue(e.getMessage().startsWith(empty + ": no validation sequences"), e.getMessage());
        Path csv = write("v/train.csv", longCsv(20, 10, -1).getBytes(StandardCharsets.UTF_8));
        Path header = write("v/valid.csv", "sequence_id,step,x0,x1,label\n".getBytes(StandardCharsets.UTF_8));
        BadInputException c = assertThrows(BadInputException.class,
                () -> SparkDataset.load(sc, settings("csv-long", "classify", csv.toString(), header.toString(), 0, false, 0)));
        assertTrue(c.getMessage().startsWith(header + ": no validation sequences"), c.getMessage());
    }

    @Test
    void validationSampleHasExactlyTheAskedSize() throws IOException {
        Path file = write("sample.txt", corpus(2000, 8).getBytes(StandardCharsets.UTF_8));
        SparkDataset.Loaded all = SparkDataset.load(sc, settings("text", "lm", file.toString(), "", 0, false, 0));
        SparkDataset.Loaded some = SparkDataset.load(sc, settings("text", "lm", file.toString(), "", 0, false, 50));
        assertTrue(all.validCount() > 50);
        assertEquals(50, some.validCount());
        TreeMap<Long, byte[]> got = examples(some);
        assertEquals(50, got.headMap(0L).size());
        assertEquals(all.trainCount(), some.trainCount());
        assertEquals(Arrays.asList(IndexedExamples.validKey(49), IndexedExamples.validKey(0)),
                List.of(got.firstKey(), got.headMap(0L).lastKey()));
    }
}
