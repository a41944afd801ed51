package dev.seqtrain.train;

import java.io.Serializable;

/**
 * A seeded random permutation of {@code 0 .. n-1} that maps one index at a time, in constant memory:
 * a four-round Feistel network on the smallest even number of bits covering n, walking the cycle
 * until the image falls below n (fewer than four steps on average). It lets each of a billion
 * examples learn its shuffled position on its own, on any executor, with nobody holding the list.
 */
public final class Permutation implements Serializable {
    private static final int ROUNDS = 4;
    private final long n;
    private final long seed;
    private final int halfBits;
    private final long halfMask;

    public Permutation(long n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("negative size " + n);
        }
        this.n = n;
        this.seed = seed;
        int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(Math.max(1, n - 1)));
        if (bits % 2 == 1) {
            bits++;
        }
        this.halfBits = bits / 2;
        this.halfMask = (1L << halfBits) - 1;
    }

    public long size() {
        return n;
    }

    /** The position of index {@code i} (0 ≤ i < n). */
    public long apply(long i) {
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException(i + " outside 0.." + (n - 1));
        }
        long x = i;
        do {
            x = feistel(x);
        } while (x >= n);
        return x;
    }

    private long feistel(long x) {
        long left = x >>> halfBits;
        long right = x & halfMask;
        for (int r = 0; r < ROUNDS; r++) {
            long next = left ^ (Seeds.mix(seed, r, right) & halfMask);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }
}
