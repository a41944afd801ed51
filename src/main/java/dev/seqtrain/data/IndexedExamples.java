package dev.seqtrain.data;

import org.apache.spark.api.java.JavaPairRDD;

import java.io.Serializable;

/**
 * A dataset as the trainer takes it: every example once, encoded by {@link ExampleCodec}, keyed by its
 * ordinal: {@code 0 .. trainCount-1} for training examples, {@link #validKey}(0 .. validCount-1) for
 * validation ones. Ordinals follow the input order (file by file, record by record) whatever the
 * number of splits, so the data's layout on the workers depends on the data alone. Nothing is cached:
 * the trainer's shuffle reads the parse once.
 */
public record IndexedExamples(JavaPairRDD<Long, byte[]> keyed, long trainCount, long validCount) implements Serializable {

    /** The key of validation example {@code v}. */
    public static long validKey(long v) {
        return -(v + 1);
    }

    /** The validation ordinal of a negative key. */
    public static long validOrdinal(long key) {
        return -key - 1;
    }

    /** Training and validation examples from two keyed sets whose keys are each 0..n-1 (tests, tables). */
    public static IndexedExamples of(JavaPairRDD<Long, SequenceExample> train, JavaPairRDD<Long, SequenceExample> valid,
                                     int idWidth) {
        JavaPairRDD<Long, byte[]> t = train.mapValues(e -> ExampleCodec.encode(e, idWidth));
        long trainCount = train.count();
        if (valid == null) {
            return new IndexedExamples(t, trainCount, 0);
        }
        JavaPairRDD<Long, byte[]> v = valid.mapToPair(p -> new scala.Tuple2<>(validKey(p._1()), ExampleCodec.encode(p._2(), idWidth)));
        return new IndexedExamples(t.union(v), trainCount, valid.count());
    }
}
