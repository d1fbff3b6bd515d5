package io.ispasp.engine;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The zero-padded 3x3 patches (stride 1, padding 1) a conv reads from H [n, N, h, w], one row per output position, in
 * TAP-MAJOR feature order (feature k N + c: channel c at tap k, taps row-major). Formed from H in channels-last layout,
 * every feature row is nine contiguous copies of N values; torch's im2col gives channel-major rows (9 c + k) through a
 * transposing copy that cost more than the Gram it fed (bench/results/network-timing.md). Callers gather a few images at
 * a time ({@link #imagesPerChunk}) so the rows stay small enough for the allocator to reuse their memory.
 */
public final class PatchRows {
    /** Bytes of patch rows formed at once: below glibc's largest mmap threshold (32 MB), so chunks reuse heap memory. */
    static final long CHUNK_BYTES = 24L << 20;

    private PatchRows() {}

    /** [n h w, 9N] float: the patch rows of {@code h} [n, N, h, w], tap-major. */
    public static Tensor tapMajor(Tensor h) {
        long n = h.size(1);
        Tensor padded = torch.constant_pad_nd(h, new long[] {1, 1, 1, 1}).permute(0, 2, 3, 1).contiguous(); // [n, h+2, w+2, N]
        // unfold gives [n, h, w, N, 3 (dy), 3 (dx)]; tap-major puts N last
        return padded.unfold(1, 3, 1).unfold(2, 3, 1).permute(0, 1, 2, 4, 5, 3).reshape(-1, 9 * n).contiguous();
    }

    /** Images whose patch rows fit in {@link #CHUNK_BYTES} (at least one). */
    public static int imagesPerChunk(long channels, long height, long width) {
        return (int) Math.max(1, CHUNK_BYTES / (height * width * 9 * channels * Float.BYTES));
    }

    /** The channel-major index (9 c + k) of tap-major feature {@code f} (k N + c). */
    public static int channelMajor(int f, int channels) {
        return (f % channels) * 9 + f / channels;
    }

    /** {@code v} [9N] in tap-major order, reordered to channel-major. */
    public static double[] toChannelMajor(double[] v, int channels) {
        return toChannelMajorRows(v, channels, 1);
    }

    /** {@code m} [9N, cols] with rows in tap-major order, rows reordered to channel-major. */
    public static double[] toChannelMajorRows(double[] m, int channels, int cols) {
        double[] out = new double[m.length];
        for (int f = 0; f < 9 * channels; f++) System.arraycopy(m, f * cols, out, channelMajor(f, channels) * cols, cols);
        return out;
    }

    /** {@code g} [9N, 9N] with rows and columns in tap-major order, reordered to channel-major. */
    public static double[] toChannelMajorSquare(double[] g, int channels) {
        int f = 9 * channels;
        int[] to = new int[f];
        for (int i = 0; i < f; i++) to[i] = channelMajor(i, channels);
        double[] out = new double[g.length];
        for (int i = 0; i < f; i++) {
            long row = (long) to[i] * f;
            for (int j = 0; j < f; j++) out[(int) (row + to[j])] = g[i * f + j];
        }
        return out;
    }
}
