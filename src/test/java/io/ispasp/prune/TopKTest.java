package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** Top-k: the one selection rule every path and method shares (larger first, ties to the lower index). */
class TopKTest {
    @Test
    void matchesAFullSortOnRandomInputsWithTies() {
        SplittableRandom r = new SplittableRandom(1);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(60);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = r.nextInt(8); // many ties
            int k = r.nextInt(n + 1);
            int[] expected = IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -v[i]).thenComparingInt(i -> i))
                    .limit(k).mapToInt(Integer::intValue).sorted().toArray();
            assertArrayEquals(expected, TopK.indices(v, k), Arrays.toString(v) + " k=" + k);
        }
    }

    @Test
    void edgeCases() {
        double[] v = {3, Double.NaN, 3, 5};
        assertArrayEquals(new int[0], TopK.indices(v, 0));
        assertArrayEquals(new int[] {0, 1, 2, 3}, TopK.indices(v, 4));
        assertArrayEquals(new int[] {0, 2, 3}, TopK.indices(v, 3), "NaN ranks last");
        assertArrayEquals(new int[] {0, 3}, TopK.indices(v, 2), "tie between 0 and 2 goes to the lower index");
        assertArrayEquals(new int[] {2, 3}, TopK.among(v, new int[] {3, 2, 1}, 2));
        assertArrayEquals(new int[] {0, 1, 2, 5}, TopK.union(new int[] {5, 0}, new int[] {2, 1, 0}));
        assertThrows(IllegalArgumentException.class, () -> TopK.indices(v, -1));
    }
}
