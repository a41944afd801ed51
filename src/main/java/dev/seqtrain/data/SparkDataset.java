package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Task;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a dataset with Spark: the files under a path are listed on the driver (sorted, so every run
 * sees the same order), each file is parsed on an executor, and the driver only receives small
 * summaries (vocabulary, class names, bad-record counts, feature statistics). Readers never throw
 * on executors for bad data: they return the bad records, and the driver reports the first one
 * (file, line, problem) or, with {@code data.badRecords=skip}, counts them.
 */
public final class SparkDataset {

    /** What the reader needs from the configuration. */
    public record Settings(String format, String task, String train, String valid, double validFraction, int seqLength,
                           int stride, String idColumn, String labelColumn, boolean skipBadRecords, long maxBadRecords,
                           int maxSeqLength, long seed, String unknownChar) implements Serializable {
    }

    /**
     * The loaded data. Examples are keyed by a global index (file order, then record order) that makes
     * partitioning deterministic.
     */
    public record Loaded(JavaPairRDD<Long, SequenceExample> train, JavaPairRDD<Long, SequenceExample> valid, long trainCount,
                         long validCount, int inputSize, boolean tokens, int outputSize, boolean perStepTargets,
                         List<String> vocabulary, List<String> classes, Map<String, Long> skippedByReason,
                         float[] featureMean, float[] featureStd) {

        /**
         * The network this data needs for a task (lm, classify, multilabel, regress): input and output
         * sizes from the data; per-step or per-sequence outputs and the loss from the task.
         */
        public NetworkSpec networkSpec(String task, CellType cell, int hidden, int layers, float dropout) {
            Task t;
            LossKind loss;
            switch (task) {
                case "lm" -> {
                    t = Task.MANY_TO_MANY;
                    loss = LossKind.SOFTMAX_CROSS_ENTROPY;
                }
                case "classify" -> {
                    t = Task.MANY_TO_ONE;
                    loss = LossKind.SOFTMAX_CROSS_ENTROPY;
                }
                case "multilabel" -> {
                    t = Task.MANY_TO_MANY;
                    loss = LossKind.SIGMOID_BINARY_CROSS_ENTROPY;
                }
                default -> {
                    t = perStepTargets ? Task.MANY_TO_MANY : Task.MANY_TO_ONE;
                    loss = LossKind.MEAN_SQUARED_ERROR;
                }
            }
            return new NetworkSpec(cell, inputSize, tokens, hidden, layers, outputSize, t, loss, dropout);
        }
    }

    private SparkDataset() {
    }

    public static Loaded load(JavaSparkContext sc, Settings s) throws IOException {
        Map<String, String> conf = hadoopConf(sc.hadoopConfiguration());
        if (SqlSequences.FORMATS.contains(s.format())) {
            JavaRDD<ParsedCsv> train = SqlSequences.read(sc, s.format(), s.train(), s.labelColumn(), s.maxSeqLength(),
                    s.skipBadRecords()).cache();
            JavaRDD<ParsedCsv> valid = s.valid().isEmpty() ? null
                    : SqlSequences.read(sc, s.format(), s.valid(), s.labelColumn(), s.maxSeqLength(), s.skipBadRecords()).cache();
            return fromParsed(sc, s, train, valid);
        }
        List<String> trainFiles = listFiles(s.train(), sc.hadoopConfiguration());
        List<String> validFiles = s.valid().isEmpty() ? List.of() : listFiles(s.valid(), sc.hadoopConfiguration());
        if (s.format().equals("text")) {
            return loadText(sc, s, conf, trainFiles, validFiles);
        }
        return loadCsv(sc, s, conf, trainFiles, validFiles);
    }

    /**
     * A Spark ML input table: one row per sequence, features in {@code featuresCol}, a per-sequence
     * label in {@code labelCol} or per-step targets in {@code targetsCol} (the other null). Labels,
     * feature statistics and the validation split are handled as for files.
     */
    public static Loaded fromTable(JavaSparkContext sc, Settings s, Dataset<Row> table, String featuresCol, String targetsCol,
                                   String labelCol) {
        return fromParsed(sc, s, SqlSequences.fromTable(table, s.train(), featuresCol, targetsCol, labelCol, s.maxSeqLength(),
                s.skipBadRecords()).cache(), null);
    }

    /** Data files under a path: the path itself, or the files of a directory (recursively), sorted; hidden files skipped. */
    public static List<String> listFiles(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(conf);
        FileStatus status;
        try {
            status = fs.getFileStatus(p);
        } catch (FileNotFoundException e) {
            throw new BadInputException(path + ": no such file or directory");
        }
        List<String> out = new ArrayList<>();
        if (status.isFile()) {
            out.add(status.getPath().toString());
        } else {
            var it = fs.listFiles(p, true);
            while (it.hasNext()) {
                var f = it.next();
                String name = f.getPath().getName();
                if (!name.startsWith(".") && !name.startsWith("_")) {
                    out.add(f.getPath().toString());
                }
            }
        }
        if (out.isEmpty()) {
            throw new BadInputException(path + ": directory holds no data files");
        }
        out.sort(null);
        return out;
    }

    // ---------------------------------------------------------------- text

    private record TextFile(String file, String text, String error) implements Serializable {
    }

    private static Loaded loadText(JavaSparkContext sc, Settings s, Map<String, String> conf, List<String> trainFiles,
                                   List<String> validFiles) {
        JavaRDD<TextFile> train = readText(sc, conf, trainFiles).cache();
        JavaRDD<TextFile> valid = validFiles.isEmpty() ? null : readText(sc, conf, validFiles).cache();
        // readText has already refused files that did not decode.
        List<TreeSet<Integer>> sets = (valid == null ? train : train.union(valid))
                .map(f -> TextCorpus.codePoints(f.text()))
                .collect();
        TreeSet<Integer> all = new TreeSet<>();
        sets.forEach(all::addAll);
        if (all.isEmpty()) {
            throw new BadInputException(s.train() + ": empty corpus (no characters)");
        }
        if (!s.unknownChar().isEmpty()) {
            all.add(s.unknownChar().codePointAt(0));   // in the vocabulary even if the corpus never uses it
        }
        List<String> vocabulary = new ArrayList<>();
        Map<Integer, Integer> index = new HashMap<>();
        for (int cp : all) {
            index.put(cp, vocabulary.size());
            vocabulary.add(new String(Character.toChars(cp)));
        }
        Broadcast<Map<Integer, Integer>> vocab = sc.broadcast(index);
        int length = s.seqLength();
        int stride = s.stride() > 0 ? s.stride() : length;
        JavaRDD<SequenceExample> trainExamples = train.flatMap(
                f -> TextCorpus.windows(TextCorpus.encode(f.text(), vocab.value(), f.file()), length, stride).iterator());
        JavaPairRDD<Long, SequenceExample> trainIndexed = index(trainExamples);
        long trainCount = trainIndexed.count();
        if (trainCount == 0) {
            long chars = train.map(f -> (long) f.text().codePointCount(0, f.text().length())).fold(0L, Long::sum);
            throw new BadInputException(s.train() + ": corpus has " + chars + " characters, fewer than one sequence needs ("
                    + (length + 1) + " = data.seqLength + 1)");
        }
        JavaPairRDD<Long, SequenceExample> validIndexed = null;
        if (valid != null) {
            validIndexed = index(valid.flatMap(
                    f -> TextCorpus.windows(TextCorpus.encode(f.text(), vocab.value(), f.file()), length, stride).iterator()));
        }
        return finish(s, trainIndexed, validIndexed, vocabulary.size(), true, vocabulary.size(), true, vocabulary, null, Map.of());
    }

    private static JavaRDD<TextFile> readText(JavaSparkContext sc, Map<String, String> conf, List<String> files) {
        JavaRDD<TextFile> rdd = sc.parallelize(files, Math.max(1, files.size())).map(f -> {
            try {
                return new TextFile(f, TextCorpus.decode(readAll(f, conf), f), null);
            } catch (BadInputException e) {
                return new TextFile(f, null, e.getMessage());
            }
        });
        List<String> errors = rdd.filter(f -> f.error() != null).map(TextFile::error).collect();
        if (!errors.isEmpty()) {
            throw new BadInputException(errors.get(0));
        }
        return rdd;
    }

    // ---------------------------------------------------------------- CSV

    /** What a reader got from one file (or one partition of a table): sequences, refused records, or a fatal error. */
    record ParsedCsv(String file, List<RawSequence> sequences, List<BadRecord> bad, String fatal) implements Serializable {
    }

    private static Loaded loadCsv(JavaSparkContext sc, Settings s, Map<String, String> conf, List<String> trainFiles,
                                  List<String> validFiles) {
        JavaRDD<ParsedCsv> train = parseCsv(sc, s, conf, trainFiles).cache();
        JavaRDD<ParsedCsv> valid = validFiles.isEmpty() ? null : parseCsv(sc, s, conf, validFiles).cache();
        return fromParsed(sc, s, train, valid);
    }

    private static Loaded fromParsed(JavaSparkContext sc, Settings s, JavaRDD<ParsedCsv> train, JavaRDD<ParsedCsv> valid) {
        Map<String, Long> skipped = new TreeMap<>();
        checkBadRecords(s, train, skipped);
        if (valid != null) {
            checkBadRecords(s, valid, skipped);
        }
        // Small per-file summaries: feature width, target width, labels.
        record Shape(String file, int inputSize, int targetWidth, boolean hasLabel, TreeSet<String> labels, long sequences)
                implements Serializable {
        }
        JavaRDD<ParsedCsv> both = valid == null ? train : train.union(valid);
        List<Shape> shapes = both.map(p -> {
            TreeSet<String> labels = new TreeSet<>();
            int in = -1;
            int tw = -1;
            boolean hasLabel = false;
            for (RawSequence r : p.sequences()) {
                in = r.inputSize();
                tw = r.targetWidth();
                if (r.label() != null) {
                    hasLabel = true;
                    labels.add(r.label());
                }
            }
            return new Shape(p.file(), in, tw, hasLabel, labels, p.sequences().size());
        }).collect();
        int inputSize = -1;
        int targetWidth = -1;
        String first = null;
        TreeSet<String> labelSet = new TreeSet<>();
        long total = 0;
        for (Shape sh : shapes) {
            if (sh.sequences() == 0) {
                continue;
            }
            if (inputSize < 0) {
                inputSize = sh.inputSize();
                targetWidth = sh.targetWidth();
                first = sh.file();
            } else if (sh.inputSize() != inputSize || sh.targetWidth() != targetWidth) {
                throw new BadInputException(sh.file() + ": " + sh.inputSize() + " feature and " + sh.targetWidth()
                        + " target columns, but " + first + " has " + inputSize + " and " + targetWidth
                        + " (train and validation files must agree)");
            }
            labelSet.addAll(sh.labels());
            total += sh.sequences();
        }
        if (total == 0) {
            throw new BadInputException(s.train() + ": no sequences (empty data" + (skipped.isEmpty() ? "" : ", all records skipped") + ")");
        }
        String task = s.task();
        List<String> classes = null;
        int outputSize;
        switch (task) {
            case "classify" -> {
                if (labelSet.isEmpty()) {
                    throw new BadInputException(first + ": model.task=classify needs a label per sequence (a 'label' column)");
                }
                classes = sortLabels(labelSet);
                if (classes.size() < 2) {
                    throw new BadInputException(first + ": only one class (" + classes.get(0) + ") in the data; classification needs two or more");
                }
                outputSize = classes.size();
            }
            case "multilabel" -> {
                if (targetWidth <= 0) {
                    throw new BadInputException(first + ": model.task=multilabel needs per-step 0/1 target columns y0,y1,...");
                }
                outputSize = targetWidth;
            }
            case "regress" -> outputSize = targetWidth > 0 ? targetWidth : 1;
            default -> throw new BadInputException("model.task=" + task + " cannot be trained from CSV");
        }
        Map<String, Integer> classIndex = new HashMap<>();
        if (classes != null) {
            for (int i = 0; i < classes.size(); i++) {
                classIndex.put(classes.get(i), i);
            }
        }
        Broadcast<Map<String, Integer>> classIds = sc.broadcast(classIndex);
        JavaPairRDD<Long, SequenceExample> trainIndexed = index(train.flatMap(
                p -> toExamples(p, task, classIds.value()).iterator()));
        JavaPairRDD<Long, SequenceExample> validIndexed = valid == null ? null
                : index(valid.flatMap(p -> toExamples(p, task, classIds.value()).iterator()));
        return finish(s, trainIndexed, validIndexed, inputSize, false, outputSize, targetWidth > 0, null, classes, skipped);
    }

    private static JavaRDD<ParsedCsv> parseCsv(JavaSparkContext sc, Settings s, Map<String, String> conf, List<String> files) {
        return sc.parallelize(files, Math.max(1, files.size())).map(f -> {
            List<BadRecord> bad = s.skipBadRecords() ? new ArrayList<>() : null;
            List<BadRecord> reported = bad != null ? bad : new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(
                    new ByteArrayInputStream(readAll(f, conf)), StandardCharsets.UTF_8))) {
                List<RawSequence> seqs;
                if (s.format().equals("csv-wide")) {
                    seqs = WideCsvParser.parse(r, f, s.idColumn(), s.labelColumn(), s.maxSeqLength(), bad);
                } else {
                    LongCsvReader.Table t = LongCsvReader.read(r, f, s.maxSeqLength(), bad);
                    seqs = new ArrayList<>();
                    for (LongCsvReader.Sequence q : t.sequences()) {
                        seqs.add(new RawSequence(q.id(), q.length(), t.featureColumns().size(), q.features(), q.targets(),
                                t.targetColumns().size(), q.label()));
                    }
                }
                return new ParsedCsv(f, seqs, reported, null);
            } catch (BadInputException e) {
                return new ParsedCsv(f, List.of(), reported, e.getMessage());
            }
        });
    }

    private static void checkBadRecords(Settings s, JavaRDD<ParsedCsv> parsed, Map<String, Long> skipped) {
        List<Tuple2<String, List<BadRecord>>> problems = parsed
                .filter(p -> p.fatal() != null || !p.bad().isEmpty())
                .map(p -> new Tuple2<>(p.fatal(), p.bad()))
                .collect();
        for (Tuple2<String, List<BadRecord>> p : problems) {
            if (p._1() != null) {
                throw new BadInputException(p._1());
            }
        }
        long count = 0;
        String firstMessage = null;
        for (Tuple2<String, List<BadRecord>> p : problems) {
            for (BadRecord b : p._2()) {
                skipped.merge(b.reason(), 1L, Long::sum);
                count++;
                if (firstMessage == null) {
                    firstMessage = b.message();
                }
            }
        }
        if (count > s.maxBadRecords()) {
            throw new BadInputException(count + " bad records skipped, more than data.maxBadRecords=" + s.maxBadRecords()
                    + "; the first: " + firstMessage);
        }
    }

    private static List<SequenceExample> toExamples(ParsedCsv p, String task, Map<String, Integer> classes) {
        return toExamples(p.file(), p.sequences(), task, classes);
    }

    /** Interprets parsed sequences' targets for a task ({@code classify}, {@code multilabel}, {@code regress}). */
    public static List<SequenceExample> toExamples(String file, List<RawSequence> sequences, String task,
                                                   Map<String, Integer> classes) {
        List<SequenceExample> out = new ArrayList<>(sequences.size());
        for (RawSequence r : sequences) {
            String where = file + ": sequence '" + r.id() + "'";
            switch (task) {
                case "classify" -> {
                    Integer id = r.label() == null ? null : classes.get(r.label());
                    if (id == null) {
                        throw new BadInputException(where + ": label '" + r.label() + "' is not one of the classes "
                                + new TreeSet<>(classes.keySet()));
                    }
                    out.add(new SequenceExample(r.length(), r.features(), null, id, null, null));
                }
                case "multilabel" -> {
                    for (float v : r.stepTargets()) {
                        if (v != 0f && v != 1f) {
                            throw new BadInputException(where + ": multi-label target " + v + " is not 0 or 1");
                        }
                    }
                    out.add(new SequenceExample(r.length(), r.features(), null, SequenceExample.NO_LABEL, null, r.stepTargets()));
                }
                default -> {
                    float[] targets = r.stepTargets();
                    if (targets == null) {
                        targets = new float[] {CsvLine.parseFinite(r.label(), where, "label")};
                    }
                    out.add(new SequenceExample(r.length(), r.features(), null, SequenceExample.NO_LABEL, null, targets));
                }
            }
        }
        return out;
    }

    /** Class names sorted numerically when they are all integers, else as text. */
    static List<String> sortLabels(TreeSet<String> labels) {
        List<String> out = new ArrayList<>(labels);
        boolean numeric = out.stream().allMatch(l -> l.matches("-?\\d{1,9}"));
        if (numeric) {
            out.sort((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
        }
        return out;
    }

    // ---------------------------------------------------------------- shared

    private static JavaPairRDD<Long, SequenceExample> index(JavaRDD<SequenceExample> examples) {
        return examples.zipWithIndex().mapToPair(t -> new Tuple2<>(t._2(), t._1()));
    }

    private static Loaded finish(Settings s, JavaPairRDD<Long, SequenceExample> train, JavaPairRDD<Long, SequenceExample> valid,
                                 int inputSize, boolean tokens, int outputSize, boolean perStepTargets, List<String> vocabulary,
                                 List<String> classes, Map<String, Long> skipped) {
        if (valid == null && s.validFraction() > 0) {
            long seed = s.seed();
            double fraction = s.validFraction();
            JavaPairRDD<Long, SequenceExample> all = train;
            valid = all.filter(t -> isValidation(t._1(), seed, fraction));
            train = all.filter(t -> !isValidation(t._1(), seed, fraction));
        }
        train = train.cache();
        long trainCount = train.count();
        long validCount = valid == null ? 0 : valid.cache().count();
        if (trainCount == 0) {
            throw new BadInputException(s.train() + ": no training examples left after holding out data.validFraction="
                    + s.validFraction());
        }
        float[] mean = null;
        float[] std = null;
        if (!tokens) {
            float[][] stats = featureStatistics(train, inputSize);
            mean = stats[0];
            std = stats[1];
            float[] m = mean;
            float[] sd = std;
            train = train.mapValues(e -> normalize(e, m, sd)).cache();
            if (valid != null) {
                valid = valid.mapValues(e -> normalize(e, m, sd)).cache();
            }
        }
        return new Loaded(train, valid, trainCount, validCount, inputSize, tokens, outputSize, perStepTargets, vocabulary, classes,
                skipped, mean, std);
    }

    /** Deterministic held-out choice per example index. */
    static boolean isValidation(long index, long seed, double fraction) {
        return new SplittableRandom(seed ^ (index * 0x9E3779B97F4A7C15L)).nextDouble() < fraction;
    }

    /** Per-feature mean and standard deviation over all training steps, summed per partition in partition order. */
    private static float[][] featureStatistics(JavaPairRDD<Long, SequenceExample> train, int inputSize) {
        List<double[]> parts = train.values().mapPartitions(it -> {
            double[] acc = new double[2 * inputSize + 1];
            while (it.hasNext()) {
                SequenceExample e = it.next();
                for (int t = 0; t < e.length(); t++) {
                    for (int i = 0; i < inputSize; i++) {
                        double v = e.features()[t * inputSize + i];
                        acc[i] += v;
                        acc[inputSize + i] += v * v;
                    }
                }
                acc[2 * inputSize] += e.length();
            }
            return List.of(acc).iterator();
        }).collect();
        double[] sum = new double[2 * inputSize + 1];
        for (double[] p : parts) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += p[i];
            }
        }
        float[] mean = new float[inputSize];
        float[] std = new float[inputSize];
        double n = Math.max(1, sum[2 * inputSize]);
        for (int i = 0; i < inputSize; i++) {
            double m = sum[i] / n;
            double var = Math.max(0, sum[inputSize + i] / n - m * m);
            mean[i] = (float) m;
            std[i] = (float) Math.max(Math.sqrt(var), 1e-6);
        }
        return new float[][] {mean, std};
    }

    public static SequenceExample normalize(SequenceExample e, float[] mean, float[] std) {
        int in = mean.length;
        float[] f = new float[e.features().length];
        for (int t = 0; t < e.length(); t++) {
            for (int i = 0; i < in; i++) {
                f[t * in + i] = (e.features()[t * in + i] - mean[i]) / std[i];
            }
        }
        return new SequenceExample(e.length(), f, e.tokens(), e.label(), e.stepLabels(), e.targets());
    }

    static byte[] readAll(String file, Map<String, String> conf) throws IOException {
        Configuration c = new Configuration(false);
        conf.forEach(c::set);
        Path p = new Path(file);
        FileSystem fs = p.getFileSystem(c);
        long length = fs.getFileStatus(p).getLen();
        if (length > Integer.MAX_VALUE - 16) {
            throw new BadInputException(file + ": " + length + " bytes; split it into files under 2 GB");
        }
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    static Map<String, String> hadoopConf(Configuration c) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : c) {
            m.put(e.getKey(), e.getValue());
        }
        return new HashMap<>(m);
    }
}
