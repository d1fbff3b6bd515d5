package io.ispasp.baseline;

import java.util.Arrays;
import java.util.SplittableRandom;

import io.ispasp.prune.Selector;
import io.ispasp.prune.Selection;
import io.ispasp.prune.UnitData;

/**
 * Random pruning: s groups drawn uniformly without replacement, reproducibly from
 * {@code new SplittableRandom(seed * 1000003 + unit)} so every unit gets its own stream.
 */
public final class RandomSelector implements Selector {

    /** Draws s distinct groups by a partial Fisher-Yates shuffle; returns them sorted. */
    @Override
    public Selection select(UnitData unit) {
        long start = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(unit.options().seed() * 1000003L + unit.index());
        int[] kept = sample(rnd, unit.groups(), unit.keep());
        return Selection.of(kept, (System.nanoTime() - start) / 1e9);
    }

    /** {@code s} distinct values of [0, n), uniformly at random, sorted increasingly. */
    static int[] sample(SplittableRandom rnd, int n, int s) {
        if (s < 0 || s > n) throw new IllegalArgumentException("cannot draw " + s + " of " + n);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        // Only the first s positions are shuffled: each is a uniform pick from what is left.
        for (int i = 0; i < s; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] kept = Arrays.copyOf(perm, s);
        Arrays.sort(kept);
        return kept;
    }
}
