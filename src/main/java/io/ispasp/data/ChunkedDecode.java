package io.ispasp.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a decoding task over the items {@code [from, to)} split into contiguous chunks on a few daemon threads, and
 * reports the failure of the lowest chunk, whatever the timing. Shared by {@link ImageFolder} and {@link ImageTree}.
 */
final class ChunkedDecode {
    private ChunkedDecode() {}

    /** Decodes items {@code [from, to)}; returns the first failure among them, or null. */
    @FunctionalInterface
    interface Range {
        IOException decode(int from, int to);
    }

    static void run(int from, int to, int maxThreads, String threadName, Range range) throws IOException {
        int count = to - from;
        int threads = Math.max(1, Math.min(Math.min(maxThreads, Runtime.getRuntime().availableProcessors()), count));
        int chunks = Math.max(1, Math.min(count, threads * 4));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<IOException>> results = new ArrayList<>();
            for (int k = 0; k < chunks; k++) {
                int a = from + (int) ((long) count * k / chunks);
                int b = from + (int) ((long) count * (k + 1) / chunks);
                results.add(pool.submit(() -> range.decode(a, b)));
            }
            // In chunk order, so the reported failure is the one with the lowest index, whatever the timing.
            for (Future<IOException> f : results) {
                IOException e = f.get();
                if (e != null) throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decoding images", e);
        } catch (ExecutionException e) {
            throw new IOException("image decoding failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
