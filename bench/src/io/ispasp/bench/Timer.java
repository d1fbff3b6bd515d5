package io.ispasp.bench;

import java.util.Arrays;
import java.util.function.Supplier;

/** Wall-clock timing helpers: the median of repeated runs. */
final class Timer {
    private Timer() {}

    /** A timed result: the value of the last run and the median seconds over all runs. */
    record Timed<T>(T value, double seconds) {}

    static <T> Timed<T> median(int runs, Supplier<T> work) {
        double[] s = new double[runs];
        T last = null;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            last = work.get();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(s);
        return new Timed<>(last, s[runs / 2]);
    }
}
