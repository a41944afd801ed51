package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Sequence records (CSV splits, table partitions) in two passes: a summary per partition (counts of
 * training and held-out records, shapes, class names, feature sums of the training records, bad-record
 * tallies), combined on the driver in partition order; then, lazily, each example encoded under its
 * global ordinal, the partition's base plus its rank inside the partition.
 */
final class RecordPasses {
    private RecordPasses() {
    }

    /** What one partition holds. */
    static final class Summary implements Serializable {
        long train;
        long valid;
        int inputSize = -1;
        int targetWidth = -1;
        boolean hasLabel;
        String firstSource;
        /** Class names of the training records, and of the validation ones (which must be among them). */
        final TreeSet<String> labels = new TreeSet<>();
        final TreeSet<String> validLabels = new TreeSet<>();
        FeatureScaling.Sums sums;
        final SparkDataset.BadTally bad = new SparkDataset.BadTally();
        String fatal;
    }

    static SparkDataset.Loaded load(JavaSparkContext sc, SparkDataset.Settings s, JavaRDD<SparkDataset.Record> train,
                                    JavaRDD<SparkDataset.Record> valid) {
        boolean holdOut = valid == null;
        List<Summary> trainParts = summaries(train, s, holdOut, false);
        List<Summary> validParts = valid == null ? List.of() : summaries(valid, s, false, true);
        SparkDataset.BadTally bad = new SparkDataset.BadTally();
        int inputSize = -1;
        int targetWidth = -1;
        String first = null;
        TreeSet<String> labelSet = new TreeSet<>();
        TreeSet<String> validLabelSet = new TreeSet<>();
        FeatureScaling.Sums sums = null;
        long trainCount = 0;
        long validCount = 0;
        List<Summary> all = new ArrayList<>(trainParts);
        all.addAll(validParts);
        for (Summary p : all) {
            if (p.fatal != null) {
                throw new BadInputException(p.fatal);
            }
        }
        for (Summary p : all) {
            bad.add(p.bad);
            if (p.inputSize < 0) {
                continue;
            }
            if (inputSize < 0) {
                inputSize = p.inputSize;
                targetWidth = p.targetWidth;
                first = p.firstSource;
            } else if (p.inputSize != inputSize || p.targetWidth != targetWidth) {
                throw new BadInputException(p.firstSource + ": " + p.inputSize + " feature and " + p.targetWidth
                        + " target columns, but " + first + " has " + inputSize + " and " + targetWidth
                        + " (train and validation files must agree)");
            }
            labelSet.addAll(p.labels);
            validLabelSet.addAll(p.validLabels);
            trainCount += p.train;
            validCount += p.valid;
            if (p.sums != null) {
                if (sums == null) {
                    sums = new FeatureScaling.Sums(p.sums.features());
                }
                sums.add(p.sums);
            }
        }
        bad.check(s);
        if (trainCount + validCount == 0) {
            throw new BadInputException(s.train() + ": no sequences (empty data" + (bad.count > 0 ? ", all records skipped" : "") + ")");
        }
        if (trainCount == 0) {
            throw new BadInputException(s.train() + ": no training examples left after holding out data.validFraction="
                    + s.validFraction());
        }
        if (valid != null && validParts.stream().mapToLong(p -> p.valid).sum() == 0) {
            throw new BadInputException(s.valid() + ": no validation sequences" + (bad.count > 0 ? " (all records skipped)" : "")
                    + "; leave data.valid empty to hold out data.validFraction instead");
        }
        String task = s.task();
        List<String> classes = null;
        int outputSize;
        switch (task) {
            case "classify" -> {
                if (labelSet.isEmpty()) {
                    throw new BadInputException(first + ": model.task=classify needs a label per sequence (a 'label' column)");
                }
                validLabelSet.removeAll(labelSet);
                if (!validLabelSet.isEmpty()) {
                    // A class no training example has would be an output nothing ever trains.
                    throw new BadInputException((valid != null ? s.valid() : s.train()) + ": validation label"
                            + (validLabelSet.size() == 1 ? " '" + validLabelSet.first() + "' is" : "s " + validLabelSet + " are")
                            + " not among the training classes " + labelSet + (valid != null ? ""
                            : " (all its sequences were held out: use data.valid or a smaller data.validFraction)"));
                }
                classes = SparkDataset.sortLabels(labelSet);
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
            default -> throw new BadInputException("model.task=" + task + " cannot be trained from CSV or tables");
        }
        Map<String, Integer> classIndex = new HashMap<>();
        if (classes != null) {
            for (int i = 0; i < classes.size(); i++) {
                classIndex.put(classes.get(i), i);
            }
        }
        float[][] scaling = sums.meanAndStd();
        SparkDataset.ValidSample sample = new SparkDataset.ValidSample(validCount, s.validMaxExamples(), s.seed());
        Broadcast<Map<String, Integer>> classIds = sc.broadcast(classIndex);
        int idWidth = ExampleCodec.idWidth(Math.max(1, outputSize));
        JavaPairRDD<Long, byte[]> keyed = encode(train, s, trainParts, holdOut, false, classIds, scaling, sample, idWidth);
        if (valid != null) {
            keyed = keyed.union(encode(valid, s, validParts, false, true, classIds, scaling, sample, idWidth));
        }
        return new SparkDataset.Loaded(new IndexedExamples(keyed, trainCount, sample.kept()), trainCount, sample.kept(), inputSize,
                false, outputSize, targetWidth > 0, null, classes, bad.byReason, scaling[0], scaling[1]);
    }

    /** Whether a record goes to validation: all of a validation source, or the held-out share of the training one. */
    private static boolean validation(SparkDataset.Record r, SparkDataset.Settings s, boolean holdOut, boolean allValid) {
        return allValid || holdOut && HoldOut.isValidation(r.key(), s.seed(), s.validFraction());
    }

    private static List<Summary> summaries(JavaRDD<SparkDataset.Record> records, SparkDataset.Settings s, boolean holdOut,
                                           boolean allValid) {
        return records.mapPartitions(it -> {
            Summary sum = new Summary();
            try {
                while (it.hasNext()) {
                    SparkDataset.Record r = it.next();
                    if (r.bad() == null) {
                        try {
                            TaskTargets.check(r.sequence(), s.task(), r.source());
                        } catch (BadInputException e) {
                            r = new SparkDataset.Record(r.key(), r.source(), null, BadRecordException.recordOf(e));
                        }
                    }
                    if (r.bad() != null) {
                        if (!s.skipBadRecords()) {
                            sum.fatal = r.bad().message();
                            break;
                        }
                        sum.bad.add(r.bad());
                        continue;
                    }
                    RawSequence q = r.sequence();
                    if (sum.inputSize < 0) {
                        sum.inputSize = q.inputSize();
                        sum.targetWidth = q.targetWidth();
                        sum.firstSource = r.source();
                        sum.sums = new FeatureScaling.Sums(q.inputSize());
                    } else if (q.inputSize() != sum.inputSize || q.targetWidth() != sum.targetWidth) {
                        sum.fatal = r.source() + ": sequence '" + q.id() + "' has " + q.inputSize() + " features and "
                                + q.targetWidth() + " targets per step, earlier sequences " + sum.inputSize + " and " + sum.targetWidth;
                        break;
                    }
                    boolean classify = q.label() != null && s.task().equals("classify");
                    if (validation(r, s, holdOut, allValid)) {
                        sum.valid++;
                        if (classify) {
                            sum.validLabels.add(q.label());
                        }
                    } else {
                        if (classify) {
                            sum.labels.add(q.label());
                        }
                        sum.train++;
                        sum.sums.add(q);
                    }
                }
            } catch (BadInputException e) {
                sum.fatal = e.getMessage();   // a bad header, invalid UTF-8: the whole file is refused
            }
            return List.of(sum).iterator();
        }).collect();
    }

    private static JavaPairRDD<Long, byte[]> encode(JavaRDD<SparkDataset.Record> records, SparkDataset.Settings s,
                                                    List<Summary> parts, boolean holdOut, boolean allValid,
                                                    Broadcast<Map<String, Integer>> classes, float[][] scaling,
                                                    SparkDataset.ValidSample sample, int idWidth) {
        long[] trainBase = new long[parts.size()];
        long[] validBase = new long[parts.size()];
        for (int i = 1; i < parts.size(); i++) {
            trainBase[i] = trainBase[i - 1] + parts.get(i - 1).train;
            validBase[i] = validBase[i - 1] + parts.get(i - 1).valid;
        }
        float[] mean = scaling[0];
        float[] std = scaling[1];
        return records.mapPartitionsWithIndex((pid, it) -> {
            Ordinals ordinals = new Ordinals(trainBase[pid], validBase[pid], sample);
            return new SkippingIterator<SparkDataset.Record, Tuple2<Long, byte[]>>(it, r -> {
                if (r.bad() != null) {
                    return null;   // counted as skipped by the summary pass
                }
                SequenceExample e;
                try {
                    e = TaskTargets.toExample(r.sequence(), s.task(), classes.value(), r.source());
                } catch (BadInputException x) {
                    return null;   // targets the task cannot use: the summary pass's TaskTargets.check counted them
                }
                long key = ordinals.next(validation(r, s, holdOut, allValid));
                if (key == Ordinals.NONE) {
                    return null;
                }
                return new Tuple2<>(key, ExampleCodec.encode(FeatureScaling.normalize(e, mean, std), idWidth));
            });
        }, true).mapToPair(t -> t);
    }
}
