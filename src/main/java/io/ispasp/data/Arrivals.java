package io.ispasp.data;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Which rows of an image set decoded on background threads ({@link ChunkedDecode#start}) have arrived. The rows are
 * split into consecutive chunks, submitted in row order, so the first rows come first and a reader of a few rows waits
 * only for the chunks that hold them. A chunk that failed makes every read of its rows throw its error, naming the
 * file. Safe to share between threads; once {@link #await} returned, the chunk's rows are visible to the caller (the
 * future's completion orders the decoder's writes before the read).
 */
final class Arrivals {
    /** Chunk k holds rows {@code [starts[k], starts[k + 1])}. */
    private final int[] starts;
    private final List<Future<IOException>> chunks;
    private final ExecutorService pool;

    Arrivals(int[] starts, List<Future<IOException>> chunks, ExecutorService pool) {
        if (starts.length != chunks.size() + 1) throw new IllegalArgumentException(starts.length + " bounds for " + chunks.size() + " chunks");
        this.starts = starts.clone();
        this.chunks = List.copyOf(chunks);
        this.pool = pool;
    }

    /** First row covered. */
    int from() { return starts[0]; }

    /** One past the last row covered. */
    int to() { return starts[starts.length - 1]; }

    /**
     * Waits until row {@code row} is decoded; rows outside the covered range return at once.
     *
     * @throws UncheckedIOException with the decoding error of the row's chunk (the first failing file in it), or an
     *         {@link InterruptedIOException} when the waiting thread is interrupted (its interrupt flag stays set)
     */
    void await(int row) {
        if (row < from() || row >= to()) return;
        int k = chunkOf(row);
        try {
            IOException e = outcome(k);
            if (e != null) throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted while waiting for image " + row + " to be decoded"));
        }
    }

    /** Waits for every row; throws the failure of the lowest failing chunk, whatever the timing. */
    void awaitAll() throws IOException {
        try {
            for (int k = 0; k < chunks.size(); k++) {
                IOException e = outcome(k);
                if (e != null) throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decoding images", e);
        }
    }

    /** Stops the decoding: chunks not started never run, running ones are interrupted. */
    void cancel() { pool.shutdownNow(); }

    private IOException outcome(int k) throws InterruptedException {
        try {
            return chunks.get(k).get();
        } catch (ExecutionException e) {
            return new IOException("image decoding failed: " + e.getCause(), e.getCause());
        } catch (CancellationException e) {
            return new IOException("image decoding was cancelled before images " + starts[k] + ".." + (starts[k + 1] - 1), e);
        }
    }

    private int chunkOf(int row) {
        int lo = 0, hi = chunks.size() - 1;   // the last chunk whose start is <= row
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= row) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }
}
