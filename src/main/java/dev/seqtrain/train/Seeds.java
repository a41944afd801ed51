package dev.seqtrain.train;

/**
 * Every random choice of a run derives from {@code (train.seed, epoch, round, partition)} through
 * this mix (SplitMix64's finaliser), so a retried task or a resumed run draws the same numbers.
 */
public final class Seeds {
    private Seeds() {
    }

    public static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h ^= p;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
            h *= 0x94D049BB133111EBL;
            h ^= h >>> 29;
        }
        return h;
    }
}
