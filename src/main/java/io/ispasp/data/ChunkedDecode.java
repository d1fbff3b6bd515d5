package io.ispasp.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a decoding task over the items {@code [from, to)} split into contiguous chunks on a few daemon threads, either
 * waiting for all of them ({@link #run}, which reports the failure of the lowest chunk, whatever the timing) or in the
 * background ({@link #start}). Shared by {@link ImageFolder} and {@link ImageTree}.
 */
final class ChunkedDecode {
    private ChunkedDecode() {}

    /** Decodes items {@code [from, to)}; returns the first failure among them, or null. */
    @FunctionalInterface
    interface Range {
        IOException decode(int from, int to);
    }

    /** Decodes items {@code [from, to)} and waits for them: about four chunks per thread. */
    static void run(int from, int to, int maxThreads, String threadName, Range range) throws IOException {
        int count = to - from;
        int threads = threads(count, maxThreads);
        int chunkRows = (int) Math.max(1, ((long) count + threads * 4L - 1) / (threads * 4L));
        Arrivals arrivals = start(from, to, maxThreads, chunkRows, threadName, range);
        try {
            arrivals.awaitAll();
        } finally {
            arrivals.cancel();   // after a failure, the chunks after it need not run
        }
    }

    /**
     * Starts decoding items {@code [from, to)} in chunks of {@code chunkRows}, submitted in order, and returns at once.
     * The threads end when the last chunk is done (or on {@link Arrivals#cancel}); they are daemons, so an abandoned
     * decoding never keeps the JVM alive.
     */
    static Arrivals start(int from, int to, int maxThreads, int chunkRows, String threadName, Range range) {
        if (chunkRows < 1) throw new IllegalArgumentException("chunk of " + chunkRows + " rows");
        int count = Math.max(0, to - from);
        int chunks = (int) (((long) count + chunkRows - 1) / chunkRows);
        ExecutorService pool = Executors.newFixedThreadPool(threads(count, maxThreads), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        int[] starts = new int[chunks + 1];
        List<Future<IOException>> results = new ArrayList<>(chunks);
        for (int k = 0; k < chunks; k++) {
            int a = from + k * chunkRows;
            int b = Math.min(to, a + chunkRows);
            starts[k] = a;
            results.add(pool.submit(() -> range.decode(a, b)));
        }
        starts[chunks] = from + count;
        pool.shutdown();   // no more tasks: the threads end after the queue drains
        return new Arrivals(starts, results, pool);
    }

    private static int threads(int count, int maxThreads) {
        return Math.max(1, Math.min(Math.min(maxThreads, Runtime.getRuntime().availableProcessors()), count));
    }
}
