package dev.seqtrain.data;

import dev.seqtrain.train.Seeds;

import java.util.SplittableRandom;

/**
 * Which records are held out for validation when there is no separate validation set: a seeded coin
 * per record, tossed on the record's identity (its file and where it starts in the file), never on
 * which split or task read it. So the held-out set is the same with one split or a thousand, and a
 * split's reader decides without knowing what the others hold.
 */
public final class HoldOut {
    private HoldOut() {
    }

    /** The identity of a record: the file's position in the input list and the record's place in the file. */
    public static long recordKey(int fileIndex, long placeInFile) {
        return Seeds.mix(fileIndex, placeInFile);
    }

    public static boolean isValidation(long recordKey, long seed, double fraction) {
        return fraction > 0 && new SplittableRandom(seed ^ recordKey).nextDouble() < fraction;
    }
}
