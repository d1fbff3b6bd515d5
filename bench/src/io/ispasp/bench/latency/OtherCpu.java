package io.ispasp.bench.latency;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * How much of the machine's CPU time other processes used during an interval: (all busy time - this process's
 * CPU time) / all time, over every core, from Linux's /proc/stat and /proc/self/stat (both in clock ticks). On a
 * shared machine this says how far a timing was disturbed; empty where /proc is not there.
 */
final class OtherCpu {
    private final long[] start;

    private OtherCpu(long[] start) {
        this.start = start;
    }

    /** Starts an interval. */
    static OtherCpu start() {
        return new OtherCpu(sample());
    }

    /** Share in [0, 1] since {@link #start()}; empty without /proc or when no tick has passed. */
    OptionalDouble share() {
        long[] end = sample();
        if (start == null || end == null) return OptionalDouble.empty();
        long total = end[0] - start[0], busy = end[1] - start[1], self = end[2] - start[2];
        if (total <= 0) return OptionalDouble.empty();
        return OptionalDouble.of(Math.max(0, Math.min(1, (double) (busy - self) / total)));
    }

    /** {total ticks, busy ticks, this process's ticks}, or null. */
    private static long[] sample() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // "cpu  user nice system idle iowait irq softirq steal ..."
            String[] f = cpu.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i <= 8 && i < f.length; i++) total += Long.parseLong(f[i]);
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            String self = Files.readString(Path.of("/proc/self/stat"));
            String[] s = self.substring(self.lastIndexOf(')') + 2).trim().split("\\s+"); // s[0] is field 3 (state)
            long own = Long.parseLong(s[11]) + Long.parseLong(s[12]); // fields 14 and 15: utime, stime
            return new long[] {total, total - idle, own};
        } catch (IOException | RuntimeException e) {
            return null; // not Linux: the timing stands without this note
        }
    }
}
