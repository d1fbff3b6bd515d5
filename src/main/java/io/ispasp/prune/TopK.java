package io.ispasp.prune;

import java.util.Arrays;

/**
 * Top-k selection with a fixed tie rule: larger value first, equal values by lower index. Every backend uses
 * this rule, so all of them choose the same set. NaN scores rank below everything, -infinity included.
 */
public final class TopK {
    private TopK() {}

    /** Indices of the k largest values of {@code values}, ascending by index. */
    public static int[] indices(double[] values, int k) {
        int[] all = new int[values.length];
        for (int i = 0; i < all.length; i++) all[i] = i;
        return among(values, all, k);
    }

    /** The k members of {@code candidates} with the largest {@code values}, ascending by index. */
    public static int[] among(double[] values, int[] candidates, int k) {
        if (k < 0) throw new IllegalArgumentException("k must be >= 0, got " + k);
        if (k >= candidates.length) {
            int[] c = candidates.clone();
            Arrays.sort(c);
            return c;
        }
        Integer[] order = new Integer[candidates.length];
        for (int i = 0; i < order.length; i++) order[i] = candidates[i];
        Arrays.sort(order, (x, y) -> {
            int c = rank(values[y], values[x]);
            return c != 0 ? c : Integer.compare(x, y);
        });
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = order[i];
        Arrays.sort(out);
        return out;
    }

    /** Sorted union of two index sets. */
    public static int[] union(int[] a, int[] b) {
        return java.util.stream.IntStream.concat(Arrays.stream(a), Arrays.stream(b)).distinct().sorted().toArray();
    }

    /** Orders numbers as usual (-0.0 == 0.0) and every NaN below every number, -infinity included. */
    private static int rank(double a, double b) {
        boolean na = Double.isNaN(a), nb = Double.isNaN(b);
        if (na || nb) return na == nb ? 0 : na ? -1 : 1;
        return a < b ? -1 : a > b ? 1 : 0;
    }
}
