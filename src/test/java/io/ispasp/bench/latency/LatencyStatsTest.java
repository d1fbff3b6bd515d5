package io.ispasp.bench.latency;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The summary statistics against their definitions, computed the slow and obvious way. */
class LatencyStatsTest {

    @Test
    void matchesBruteForceOnRandomData() {
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + r.nextInt(trial < 100 ? 12 : 400);
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = trial % 3 == 0 ? r.nextInt(5) : Math.exp(r.nextGaussian()); // ties too
            double[] before = x.clone();
            LatencyStats s = LatencyStats.of(x);
            assertArrayEquals(before, x, "the input is not reordered");

            double[] sorted = x.clone();
            Arrays.sort(sorted);
            double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            double sum = 0;
            for (double v : x) sum += v;
            assertEquals(n, s.runs());
            assertEquals(median, s.median(), 0);
            assertEquals(sorted[0], s.min(), 0);
            assertEquals(sum / n, s.mean(), 1e-12 * Math.abs(sum));
            assertEquals(nearestRankByCounting(x, 90), s.p90(), 0, "p90, n = " + n);
            assertEquals(nearestRankByCounting(x, 99), s.p99(), 0, "p99, n = " + n);
        }
    }

    @Test
    void smallCasesByHand() {
        LatencyStats one = LatencyStats.of(new double[] {3});
        assertEquals(new LatencyStats(1, 3, 3, 3, 3, 3), one);
        // 1..10: p90 is the 9th value (90% of 10 runs took <= 9), p99 the 10th; the median averages 5 and 6
        double[] ten = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
        LatencyStats s = LatencyStats.of(ten);
        assertEquals(5.5, s.median());
        assertEquals(9, s.p90());
        assertEquals(10, s.p99());
        // 1..100: p99 is the 99th value, not the maximum
        double[] hundred = new double[100];
        for (int i = 0; i < 100; i++) hundred[i] = 100 - i;
        assertEquals(99, LatencyStats.of(hundred).p99());
        assertEquals(90, LatencyStats.of(hundred).p90());
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.of(new double[0]));
    }

    /** The smallest sample v such that at least p% of the samples are <= v: counts, no sorting. */
    private static double nearestRankByCounting(double[] x, double p) {
        double best = Double.POSITIVE_INFINITY;
        for (double v : x) {
            int atMost = 0;
            for (double w : x) if (w <= v) atMost++;
            if (100.0 * atMost >= p * x.length && v < best) best = v;
        }
        return best;
    }
}
