package io.ispasp.bench.latency;

import java.util.Arrays;

/**
 * Summary of repeated run times, in milliseconds. The median is the middle value (the mean of the two middle ones
 * for an even count); p90 and p99 are nearest-rank percentiles: the smallest run time such that at least that
 * fraction of the runs took no longer. Nearest rank returns a time that was actually measured, and with few runs
 * p99 is simply the slowest run.
 *
 * @param runs   number of timed runs
 * @param median median run time
 * @param p90    90th percentile
 * @param p99    99th percentile
 * @param min    fastest run
 * @param mean   arithmetic mean
 */
public record LatencyStats(int runs, double median, double p90, double p99, double min, double mean) {

    /** Summarises {@code millis} (not modified); at least one value. */
    public static LatencyStats of(double[] millis) {
        if (millis.length == 0) throw new IllegalArgumentException("no run times");
        double[] s = millis.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        double sum = 0;
        for (double v : s) sum += v;
        return new LatencyStats(n, median, nearestRank(s, 90), nearestRank(s, 99), s[0], sum / n);
    }

    /** The {@code p}-th percentile (0 < p <= 100) of ascending {@code sorted} by the nearest-rank method. */
    static double nearestRank(double[] sorted, double p) {
        if (!(p > 0 && p <= 100)) throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        int rank = (int) Math.ceil(p * sorted.length / 100); // 1-based; p * n first keeps whole-number ranks exact
        return sorted[Math.max(1, rank) - 1];
    }
}
