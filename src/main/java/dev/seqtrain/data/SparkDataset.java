package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Task;
import dev.seqtrain.train.Permutation;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a dataset with Spark, split by split, in passes that each send the driver only small
 * summaries: files are cut into input splits and parsed on the executors; the driver combines the
 * splits' counts, vocabularies, class names, feature sums and bad-record tallies; a last pass (left
 * lazy, for the trainer's shuffle) encodes each example compactly under its global ordinal. No file,
 * split or dataset is ever held whole, and nothing here is cached.
 *
 * <p>Readers never throw on executors for bad data: the summaries carry the first error of each split,
 * and the driver reports the earliest (file, line, problem) or, with {@code data.badRecords=skip},
 * counts them.
 */
public final class SparkDataset {

    /** What the reader needs from the configuration. */
    public record Settings(String format, String task, String train, String valid, double validFraction, int seqLength,
                           int stride, String idColumn, String labelColumn, boolean skipBadRecords, long maxBadRecords,
                           int maxSeqLength, long seed, String unknownChar, long splitBytes, long validMaxExamples,
                           int maxLineBytes)
            implements Serializable {
        /** data.maxLineBytes by default: far above any real CSV row, far below a heap. */
        public static final int DEFAULT_MAX_LINE_BYTES = 64 << 20;
    }

    /** The loaded data: the encoded examples under their ordinals, and what the network needs to know of them. */
    public record Loaded(IndexedExamples examples, long trainCount, long validCount, int inputSize, boolean tokens,
                         int outputSize, boolean perStepTargets, List<String> vocabulary, List<String> classes,
                         Map<String, Long> skippedByReason, float[] featureMean, float[] featureStd) {

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
        Configuration hadoop = sc.hadoopConfiguration();
        if (SqlSequences.FORMATS.contains(s.format())) {
            JavaRDD<Record> train = SqlSequences.read(sc, s.format(), s.train(), s.labelColumn(), s.maxSeqLength());
            JavaRDD<Record> valid = s.valid().isEmpty() ? null
                    : SqlSequences.read(sc, s.format(), s.valid(), s.labelColumn(), s.maxSeqLength());
            return RecordPasses.load(sc, s, train, valid);
        }
        List<FileSplit> trainSplits = HadoopFiles.splits(HadoopFiles.resolve(s.train(), hadoop), s.splitBytes(), hadoop);
        List<FileSplit> validSplits = s.valid().isEmpty() ? null
                : HadoopFiles.splits(HadoopFiles.resolve(s.valid(), hadoop), s.splitBytes(), hadoop);
        Map<String, String> conf = HadoopFiles.toMap(hadoop);
        if (s.format().equals("text")) {
            return TextPasses.load(sc, s, conf, trainSplits, validSplits);
        }
        CsvSplits.Options o = new CsvSplits.Options(s.format(), s.idColumn(), s.labelColumn(), s.maxSeqLength(),
                s.maxLineBytes());
        JavaRDD<Record> train = csvRecords(sc, conf, o, trainSplits);
        JavaRDD<Record> valid = validSplits == null ? null : csvRecords(sc, conf, o, validSplits);
        return RecordPasses.load(sc, s, train, valid);
    }

    /**
     * A Spark ML input table: one row per sequence, features in {@code featuresCol}, a per-sequence
     * label in {@code labelCol} or per-step targets in {@code targetsCol} (the other null). Labels,
     * feature statistics and the validation split are handled as for files.
     */
    public static Loaded fromTable(JavaSparkContext sc, Settings s, Dataset<Row> table, String featuresCol, String targetsCol,
                                   String labelCol) {
        return RecordPasses.load(sc, s, SqlSequences.fromTable(table, s.train(), featuresCol, targetsCol, labelCol,
                s.maxSeqLength()), null);
    }

    /** {@link #fromTable} with the validation rows given as a table of their own (no random hold-out). */
    public static Loaded fromTables(JavaSparkContext sc, Settings s, Dataset<Row> train, Dataset<Row> valid, String featuresCol,
                                    String targetsCol, String labelCol) {
        return RecordPasses.load(sc, s, SqlSequences.fromTable(train, s.train(), featuresCol, targetsCol, labelCol, s.maxSeqLength()),
                SqlSequences.fromTable(valid, s.train() + " (validation rows)", featuresCol, targetsCol, labelCol, s.maxSeqLength()));
    }

    /**
     * One record as the summary and encoding passes see it, whatever the source: its identity (stable
     * under any split layout), the source it came from, and either a sequence or what was wrong with it.
     */
    record Record(long key, String source, RawSequence sequence, BadRecord bad) implements Serializable {
    }

    /** An RDD with one partition per split, each preferring the hosts of its split's first block. */
    static JavaRDD<FileSplit> splitsRdd(JavaSparkContext sc, List<FileSplit> splits) {
        List<Tuple2<FileSplit, scala.collection.immutable.Seq<String>>> withHosts = new ArrayList<>();
        for (FileSplit f : splits) {
            withHosts.add(new Tuple2<>(f, scala.jdk.javaapi.CollectionConverters.asScala(List.of(f.hosts())).toList()));
        }
        scala.reflect.ClassTag<FileSplit> tag = scala.reflect.ClassTag$.MODULE$.apply(FileSplit.class);
        return JavaRDD.fromRDD(sc.sc().makeRDD(scala.jdk.javaapi.CollectionConverters.asScala(withHosts).toList(), tag), tag);
    }

    /** The CSV records of the splits: a cheap newline count first, so that every record knows its line. */
    private static JavaRDD<Record> csvRecords(JavaSparkContext sc, Map<String, String> conf, CsvSplits.Options o,
                                              List<FileSplit> splits) {
        JavaRDD<FileSplit> rdd = splitsRdd(sc, splits);
        List<Long> newlines = rdd.map(f -> CsvSplits.newlines(f, HadoopFiles.fromMap(conf))).collect();
        long[] before = new long[splits.size()];
        for (int i = 1; i < splits.size(); i++) {
            boolean sameFile = splits.get(i).fileIndex() == splits.get(i - 1).fileIndex();
            before[i] = sameFile ? before[i - 1] + newlines.get(i - 1) : 0;
        }
        return rdd.mapPartitionsWithIndex((pid, it) -> {
            FileSplit f = it.next();
            Iterator<CsvSplits.Parsed> opened;
            try {
                opened = CsvSplits.read(f, before[pid], o, HadoopFiles.fromMap(conf));
            } catch (BadInputException e) {
                // A bad header refuses the whole file: raised where the summary pass reads, to reach the driver as its error.
                opened = new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        throw e;
                    }

                    @Override
                    public CsvSplits.Parsed next() {
                        throw e;
                    }
                };
            }
            return new SkippingIterator<CsvSplits.Parsed, Record>(opened,
                    p -> new Record(HoldOut.recordKey(f.fileIndex(), p.place()), f.file(), p.sequence(), p.bad()));
        }, true);
    }

    /** The validation examples kept under data.validMaxExamples: a seeded sample of exactly that many. */
    static final class ValidSample implements Serializable {
        private final Permutation rank;
        private final long keep;

        ValidSample(long validCount, long max, long seed) {
            this.rank = new Permutation(validCount, seed ^ 0x5EEDL);
            this.keep = max > 0 ? Math.min(max, validCount) : validCount;
        }

        long kept() {
            return keep;
        }

        /** The kept example's new ordinal, or -1 when it is not in the sample. */
        long ordinal(long v) {
            if (keep == rank.size()) {
                return v;
            }
            long r = rank.apply(v);
            return r < keep ? r : -1;
        }
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

    /** Interprets parsed sequences' targets for a task (the driver-side commands use it on one file). */
    public static List<SequenceExample> toExamples(String file, List<RawSequence> sequences, String task,
                                                   Map<String, Integer> classes) {
        List<SequenceExample> out = new ArrayList<>(sequences.size());
        for (RawSequence r : sequences) {
            out.add(TaskTargets.toExample(r, task, classes, file));
        }
        return out;
    }

    /** Bad-record tallies of the splits, in split order: counts by reason and the first message. */
    static final class BadTally implements Serializable {
        final Map<String, Long> byReason = new TreeMap<>();
        String first;
        long count;

        void add(BadRecord b) {
            byReason.merge(b.reason(), 1L, Long::sum);
            if (first == null) {
                first = b.message();
            }
            count++;
        }

        void add(BadTally o) {
            o.byReason.forEach((k, v) -> byReason.merge(k, v, Long::sum));
            if (first == null) {
                first = o.first;
            }
            count += o.count;
        }

        void check(Settings s) {
            if (count > s.maxBadRecords()) {
                throw new BadInputException(count + " bad records skipped, more than data.maxBadRecords=" + s.maxBadRecords()
                        + "; the first: " + first);
            }
        }
    }
}
