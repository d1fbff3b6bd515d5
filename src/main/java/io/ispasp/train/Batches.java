package io.ispasp.train;

import java.util.SplittableRandom;

/** The batching rules the trainers share: the seeded shuffle and the split of an epoch into mini-batches. */
final class Batches {
    private Batches() {}

    /** Fisher-Yates shuffle of {@code a} in place, drawing {@code rnd.nextInt(i + 1)} for i from the end down to 1. */
    static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    /**
     * Batches per epoch of {@code samples} samples in batches of {@code batchSize}: {@code ceil(samples / batchSize)},
     * except that a last batch of a single sample joins the batch before it (BN cannot take the batch statistics
     * of one sample). Batch {@code b} of {@code k} spans {@code [b * batchSize, b == k - 1 ? samples : (b + 1) * batchSize)}.
     */
    static int perEpochJoiningALoneLast(int samples, int batchSize) {
        int full = samples / batchSize, rest = samples % batchSize;
        return rest == 0 || (rest == 1 && full > 0) ? full : full + 1;
    }
}
