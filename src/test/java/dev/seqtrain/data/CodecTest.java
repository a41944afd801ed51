package dev.seqtrain.data;

import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Task;
import dev.seqtrain.train.Permutation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compact formats give back exactly what they were given, and the permutation is one. */
class CodecTest {
    private static SequenceExample random(SplittableRandom rng, boolean tokens, String targets, int vocab) {
        int len = 1 + rng.nextInt(12);
        int[] x = null;
        float[] f = null;
        if (tokens) {
            x = new int[len];
            for (int t = 0; t < len; t++) {
                x[t] = rng.nextInt(vocab);
            }
        } else {
            f = new float[len * 3];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) rng.nextGaussian();
            }
        }
        return switch (targets) {
            case "next" -> {
                int[] y = new int[len];
                for (int t = 0; t + 1 < len; t++) {
                    y[t] = x[t + 1];
                }
                y[len - 1] = rng.nextInt(vocab);
                yield new SequenceExample(len, f, x, SequenceExample.NO_LABEL, y, null);
            }
            case "steps" -> {
                int[] y = new int[len];
                for (int t = 0; t < len; t++) {
                    y[t] = rng.nextInt(vocab);
                }
                yield new SequenceExample(len, f, x, SequenceExample.NO_LABEL, y, null);
            }
            case "label" -> new SequenceExample(len, f, x, rng.nextInt(vocab), null, null);
            default -> new SequenceExample(len, f, x, SequenceExample.NO_LABEL, null, new float[] {(float) rng.nextGaussian(), 2f});
        };
    }

    private static void assertSame(SequenceExample a, SequenceExample b) {
        assertEquals(a.length(), b.length());
        assertArrayEquals(a.tokens(), b.tokens());
        assertArrayEquals(a.features(), b.features());
        assertEquals(a.label(), b.label());
        assertArrayEquals(a.stepLabels(), b.stepLabels());
        assertArrayEquals(a.targets(), b.targets());
    }

    @Test
    void examplesRoundTripInEveryIdWidthAndTruncationIsCaught() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int vocab : new int[] {2, 256, 257, 65536}) {
            int width = ExampleCodec.idWidth(vocab);
            for (String targets : List.of("next", "steps", "label", "values")) {
                boolean tokens = !targets.equals("values");
                for (int i = 0; i < 9; i++) {
                    SequenceExample e = random(rng, tokens, targets, vocab);
                    byte[] bytes = ExampleCodec.encode(e, width);
                    assertSame(e, ExampleCodec.decode(bytes));
                    for (int cut = 0; cut < bytes.length; cut += 1 + bytes.length / 17) {
                        byte[] shorter = java.util.Arrays.copyOf(bytes, cut);
                        assertThrows(IllegalArgumentException.class, () -> ExampleCodec.decode(shorter), vocab + " " + targets + " " + cut);
                    }
                    byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
                    assertThrows(IllegalArgumentException.class, () -> ExampleCodec.decode(longer));
                }
            }
        }
        // A language-model window stores its targets once: tokens plus one id, not twice the tokens.
        SequenceExample lm = random(new SplittableRandom(2), true, "next", 65);
        assertEquals(14 + lm.length() + 1, ExampleCodec.encode(lm, 1).length);
    }

    @Test
    void permutationIsABijection() {
        for (long n : new long[] {1, 2, 3, 17, 1000, 4097}) {
            Permutation p = new Permutation(n, 9);
            BitSet seen = new BitSet();
            for (long i = 0; i < n; i++) {
                long v = p.apply(i);
                assertTrue(v >= 0 && v < n);
                seen.set((int) v);
            }
            assertEquals(n, seen.cardinality());
        }
        assertTrue(new Permutation(1000, 1).apply(0) != new Permutation(1000, 2).apply(0)
                || new Permutation(1000, 1).apply(1) != new Permutation(1000, 2).apply(1), "the seed matters");
    }
}
