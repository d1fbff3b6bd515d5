package io.ispasp.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/** Wall-clock timing helpers: the median of repeated runs. */
final class Timer {
    private Timer() {}

    /** A timed result: the value of the last run and the median seconds over all runs. */
    record Timed<T>(T value, double seconds) {}

    /**
     * Times several alternatives in turn: one untimed warm-up of each, then {@code runs} rounds in which each runs
     * once; returns each one's median. Interleaving makes slow drifts of a shared machine hit all alike.
     */
    static <T> List<Timed<T>> interleaved(int runs, List<Supplier<T>> work) {
        int k = work.size();
        double[][] s = new double[k][runs];
        List<T> last = new ArrayList<>();
        for (Supplier<T> w : work) last.add(w.get());
        for (int r = 0; r < runs; r++) {
            for (int i = 0; i < k; i++) {
                long t0 = System.nanoTime();
                last.set(i, work.get(i).get());
                s[i][r] = (System.nanoTime() - t0) / 1e9;
            }
        }
        List<Timed<T>> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Arrays.sort(s[i]);
            out.add(new Timed<>(last.get(i), s[i][runs / 2]));
        }
        return out;
    }

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
