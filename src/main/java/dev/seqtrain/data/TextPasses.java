package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A character corpus in two passes over its splits: characters and vocabulary per split
 * ({@link TextSplits#summarize}), then, lazily, the training windows of each split under their global
 * ordinals. Between them, on the driver, only arithmetic on the counts and one small job that counts
 * the held-out windows of each split (the coin is tossed per window, on the window's identity).
 */
final class TextPasses {
    private TextPasses() {
    }

    /** One source's splits with what the driver derived for them. */
    private record Source(List<FileSplit> splits, List<TextSplits.Place> places, long[] trainBase, long[] validBase,
                          long train, long valid) {
    }

    static SparkDataset.Loaded load(JavaSparkContext sc, SparkDataset.Settings s, Map<String, String> conf,
                                    List<FileSplit> trainSplits, List<FileSplit> validSplits) {
        List<TextSplits.Summary> trainSums = summarize(sc, conf, trainSplits);
        List<TextSplits.Summary> validSums = validSplits == null ? List.of() : summarize(sc, conf, validSplits);
        List<TextSplits.Summary> all = new ArrayList<>(trainSums);
        all.addAll(validSums);
        for (TextSplits.Summary x : all) {
            if (x.error() != null) {
                throw new BadInputException(x.error());
            }
        }
        List<Integer> codePoints = TextSplits.union(all);
        if (codePoints.isEmpty()) {
            throw new BadInputException(s.train() + ": empty corpus (no characters)");
        }
        if (!s.unknownChar().isEmpty() && !codePoints.contains(s.unknownChar().codePointAt(0))) {
            codePoints.add(s.unknownChar().codePointAt(0));   // in the vocabulary even if the corpus never uses it
            codePoints.sort(null);
        }
        List<String> vocabulary = new ArrayList<>();
        for (int cp : codePoints) {
            vocabulary.add(new String(Character.toChars(cp)));
        }
        int length = s.seqLength();
        int stride = s.stride() > 0 ? s.stride() : length;
        boolean holdOut = validSplits == null;
        Source train = place(sc, s, trainSplits, trainSums, holdOut, false, length, stride);
        Source valid = validSplits == null ? null : place(sc, s, validSplits, validSums, false, true, length, stride);
        if (train.train() == 0) {
            long chars = 0;
            for (TextSplits.Summary x : trainSums) {
                chars += x.chars();
            }
            if (train.valid() > 0) {
                throw new BadInputException(s.train() + ": no training sequences left after holding out data.validFraction="
                        + s.validFraction());
            }
            throw new BadInputException(s.train() + ": corpus has " + chars + " characters, fewer than one sequence needs ("
                    + (length + 1) + " = data.seqLength + 1)");
        }
        if (valid != null && valid.valid() == 0) {
            throw new BadInputException(s.valid() + ": no validation sequences (fewer than data.seqLength + 1 = " + (length + 1)
                    + " characters in every file); leave data.valid empty to hold out data.validFraction instead");
        }
        long validCount = train.valid() + (valid == null ? 0 : valid.valid());
        SparkDataset.ValidSample sample = new SparkDataset.ValidSample(validCount, s.validMaxExamples(), s.seed());
        Broadcast<int[]> vocab = sc.broadcast(TextSplits.idsByCodePoint(codePoints));
        int idWidth = ExampleCodec.idWidth(codePoints.size());
        JavaPairRDD<Long, byte[]> keyed = windows(sc, s, conf, train, vocab, sample, holdOut, false, length, stride, idWidth);
        if (valid != null) {
            keyed = keyed.union(windows(sc, s, conf, valid, vocab, sample, false, true, length, stride, idWidth));
        }
        return new SparkDataset.Loaded(new IndexedExamples(keyed, train.train(), sample.kept()), train.train(), sample.kept(),
                vocabulary.size(), true, vocabulary.size(), true, vocabulary, null, Map.of(), null, null);
    }

    private static List<TextSplits.Summary> summarize(JavaSparkContext sc, Map<String, String> conf, List<FileSplit> splits) {
        return SparkDataset.splitsRdd(sc, splits).map(f -> TextSplits.summarize(f, HadoopFiles.fromMap(conf))).collect();
    }

    /** Character offsets of every split in its file, and how many training and held-out windows each owns. */
    private static Source place(JavaSparkContext sc, SparkDataset.Settings s, List<FileSplit> splits,
                                List<TextSplits.Summary> sums, boolean holdOut, boolean allValid, int length, int stride) {
        List<TextSplits.Place> places = new ArrayList<>();
        for (int i = 0; i < splits.size(); ) {
            int j = i;
            long fileChars = 0;
            while (j < splits.size() && splits.get(j).fileIndex() == splits.get(i).fileIndex()) {
                fileChars += sums.get(j).chars();
                j++;
            }
            long offset = 0;
            for (int k = i; k < j; k++) {
                places.add(new TextSplits.Place(offset, offset + sums.get(k).chars(), fileChars));
                offset += sums.get(k).chars();
            }
            i = j;
        }
        // Per split: [file, first window, end window), counted on the executors (a billion windows is a billion coins).
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < splits.size(); i++) {
            TextSplits.Place p = places.get(i);
            ranges.add(new long[] {splits.get(i).fileIndex(), p.firstWindow(stride), p.endWindow(stride, length)});
        }
        long seed = s.seed();
        double fraction = s.validFraction();
        List<long[]> counts = sc.parallelize(ranges, Math.max(1, Math.min(ranges.size(), sc.defaultParallelism() * 4)))
                .map(r -> {
                    long windows = r[2] - r[1];
                    if (allValid) {
                        return new long[] {0, windows};
                    }
                    long valid = 0;
                    if (holdOut) {
                        for (long k = r[1]; k < r[2]; k++) {
                            if (HoldOut.isValidation(HoldOut.recordKey((int) r[0], k), seed, fraction)) {
                                valid++;
                            }
                        }
                    }
                    return new long[] {windows - valid, valid};
                }).collect();
        long[] trainBase = new long[splits.size()];
        long[] validBase = new long[splits.size()];
        long train = 0;
        long valid = 0;
        for (int i = 0; i < splits.size(); i++) {
            trainBase[i] = train;
            validBase[i] = valid;
            train += counts.get(i)[0];
            valid += counts.get(i)[1];
        }
        return new Source(splits, places, trainBase, validBase, train, valid);
    }

    private static JavaPairRDD<Long, byte[]> windows(JavaSparkContext sc, SparkDataset.Settings s, Map<String, String> conf,
                                                     Source src, Broadcast<int[]> vocab,
                                                     SparkDataset.ValidSample sample, boolean holdOut, boolean allValid,
                                                     int length, int stride, int idWidth) {
        JavaRDD<FileSplit> rdd = SparkDataset.splitsRdd(sc, src.splits());
        List<TextSplits.Place> places = src.places();
        long[] trainBase = src.trainBase();
        long[] validBase = src.validBase();
        long seed = s.seed();
        double fraction = s.validFraction();
        return rdd.mapPartitionsWithIndex((pid, it) -> {
            FileSplit f = it.next();
            Iterator<TextSplits.Window> w = TextSplits.windows(f, places.get(pid), vocab.value(), length, stride,
                    HadoopFiles.fromMap(conf));
            Ordinals ordinals = new Ordinals(trainBase[pid], validBase[pid], sample);
            return new SkippingIterator<TextSplits.Window, Tuple2<Long, byte[]>>(w, x -> {
                boolean validation = allValid
                        || holdOut && HoldOut.isValidation(HoldOut.recordKey(f.fileIndex(), x.index()), seed, fraction);
                long key = ordinals.next(validation);
                return key == Ordinals.NONE ? null : new Tuple2<>(key, ExampleCodec.encode(x.example(), idWidth));
            });
        }, true).mapToPair(t -> t);
    }
}
