package io.ispasp.engine;

import io.ispasp.kernels.StatisticsAccumulator;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

/**
 * The statistics of the 3x3 patches (stride 1, padding 1) a conv reads from H [n, N, h, w], without forming the patch
 * rows: the same sums as {@link PatchRows} rows fed to {@link Gram}, tap-major (feature k N + c), faster on the CPU
 * (docs/design.md, "Patch statistics without patch rows"; bench/results/patch-statistics.md).
 * <p>
 * The Gram block of taps k, k' is the sum over output positions p of h(p + o_k) h(p + o_k')^T (h zero outside the
 * map). With q = p + o_k it is the sum over the map of h(q) h(q + d)^T, d = o_k' - o_k, minus the terms whose q lies
 * in the border row and column that tap k never reads. The full-map products F_d, one per d with its transpose F_-d,
 * are 13 GEMMs over H channels-last with two zero rows below and two zero columns right of every image: there,
 * shifting by d is a constant offset in the flattened rows, and every shift that leaves a map lands on zeros (a
 * column left of the map is the previous row's right-hand zeros; a row above the map, which only the cross sums
 * read, is the previous image's bottom zeros). The border terms are one
 * product per tap over one row and one column. The feature sums come the same way from the map's sums minus its
 * border. The cross sums u^T z against a target z at the output positions are 9 such shifted GEMMs, exact as they
 * are. Precision as {@link Gram}: float32 products over at most {@link Gram#FLUSH_ROWS} rows, float64 sums across.
 */
public final class PatchGram implements AutoCloseable {
    private static final int CHUNK = Gram.FLUSH_ROWS;
    /** The 13 shifts d = (dy, dx) of the full-map products: dy > 0, or dy = 0 and dx >= 0; the others are transposes. */
    private static final int[][] SHIFTS = shifts();

    private final int n;
    private final Tensor[] full = new Tensor[SHIFTS.length]; // F_d [N, N] float64
    private final Tensor border;                             // [9N, 9N] float64: the border terms, upper blocks
    private final Tensor mass;                               // [9N] float64
    private long rows;

    public PatchGram(int channels) {
        if (channels < 1) throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        this.n = channels;
        try (PointerScope scope = new PointerScope()) {
            for (int d = 0; d < full.length; d++) full[d] = Tensors.retained(zeros(n, n));
            border = Tensors.retained(zeros(9L * n, 9L * n));
            mass = Tensors.retained(zeros(9L * n));
        }
    }

    public int channels() { return n; }

    /** Output positions seen so far (images x height x width): the rows of the patch matrix. */
    public long rows() { return rows; }

    /**
     * Adds the patches of {@code h} [images, N, height, width]; with {@code z} (the target at the output positions,
     * [images height width, out] rows, image by image, row-major positions) also adds u^T z into {@code cross}
     * ([9N, out] row-major, tap-major rows).
     */
    public void add(Tensor h, Tensor z, double[] cross) {
        if (h.dim() != 4 || h.size(1) != n) {
            throw new IllegalArgumentException("patch Gram of " + n + " channels given a tensor of shape " + java.util.Arrays.toString(h.shape()));
        }
        long images = h.size(0), height = h.size(2), width = h.size(3);
        try (PointerScope scope = new PointerScope()) {
            Tensor hf = h.to(ScalarType.Float);
            // [images, height + 2, width + 2, N]: H channels-last, two zero rows below and columns right of each map
            Tensor padded = torch.zeros(new long[] {images, height + 2, width + 2, n}, new TensorOptions(ScalarType.Float));
            padded.narrow(1, 0, height).narrow(2, 0, width).copy_(hf.permute(0, 2, 3, 1));
            long total = images * (height + 2) * (width + 2);
            fullProducts(padded, total, width + 2);
            borderTerms(padded.reshape(images, -1, n), height, width);
            addMass(padded.reshape(total, n), hf, height, width);
            if (z != null) addCross(padded, z, images, height, width, cross);
        }
        rows += images * height * width;
    }

    /** The feature sums [9N] and the full symmetric Gram [9N, 9N], tap-major, float64. */
    public StatisticsAccumulator.Result result() {
        try (PointerScope scope = new PointerScope()) {
            Tensor g = border.neg();
            for (int k = 0; k < 9; k++) {
                for (int k2 = k; k2 < 9; k2++) {
                    int dy = k2 / 3 - k / 3, dx = k2 % 3 - k % 3;
                    Tensor block = g.narrow(0, (long) k * n, n).narrow(1, (long) k2 * n, n);
                    block.add_(positive(dy, dx) ? full[shiftIndex(dy, dx)] : full[shiftIndex(-dy, -dx)].t());
                    if (k2 > k) g.narrow(0, (long) k2 * n, n).narrow(1, (long) k * n, n).copy_(block.t());
                }
            }
            return new StatisticsAccumulator.Result(Tensors.doubles(mass), Tensors.doubles(g));
        }
    }

    /** F_d += sum over the padded rows q of h(q) h(q + off_d)^T, in float32 over at most CHUNK rows at a time. */
    private void fullProducts(Tensor padded, long total, long paddedWidth) {
        FloatPointer base = padded.data_ptr_float();
        Tensor part = torch.zeros(new long[] {n, n}, new TensorOptions(ScalarType.Float));
        FloatPointer out = part.data_ptr_float();
        for (int d = 0; d < SHIFTS.length; d++) {
            long off = SHIFTS[d][0] * paddedWidth + SHIFTS[d][1];
            for (long q = 0; q < total - off; q += CHUNK) {
                int len = (int) Math.min(CHUNK, total - off - q);
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, len, 1f, at(base, q * n), n, at(base, (q + off) * n), n,
                        0f, out, n);
                full[d].add_(part);
            }
        }
    }

    /**
     * For every tap pair k <= k': the terms of F_d whose q lies where tap k never reads (the first row for a tap
     * above the centre, the last row for one below, likewise for columns). One product per tap k: its border
     * positions against their shifts for every k' at once ({@code flat}: [images, (height + 2)(width + 2), N]).
     */
    private void borderTerms(Tensor flat, long height, long width) {
        long images = flat.size(0);
        for (int k = 0; k < 9; k++) {
            int oy = k / 3 - 1, ox = k % 3 - 1;
            if (oy == 0 && ox == 0) continue;
            long y0 = oy == 1 ? 0 : height - 1, x0 = ox == 1 ? 0 : width - 1;
            java.util.List<long[]> strip = new java.util.ArrayList<>();        // the row y0, then the column x0 without it
            if (oy != 0) for (long x = 0; x < width; x++) strip.add(new long[] {y0, x});
            if (ox != 0) for (long y = 0; y < height; y++) if (oy == 0 || y != y0) strip.add(new long[] {y, x0});
            int len = strip.size(), later = 9 - k;
            long[] here = new long[len], there = new long[len * later];
            for (int i = 0; i < len; i++) {
                here[i] = index(strip.get(i)[0], strip.get(i)[1], width);
                for (int k2 = k; k2 < 9; k2++) {
                    there[(k2 - k) * len + i] = index(strip.get(i)[0] + k2 / 3 - k / 3, strip.get(i)[1] + k2 % 3 - k % 3, width);
                }
            }
            Tensor block = border.narrow(0, (long) k * n, n).narrow(1, (long) k * n, (long) later * n);
            long step = Math.max(1, CHUNK / len);                                  // at most CHUNK rows of float32 per product
            for (long i = 0; i < images; i += step) {
                try (PointerScope scope = new PointerScope()) {
                    long m = Math.min(step, images - i);
                    Tensor part = flat.narrow(0, i, m);
                    Tensor a = part.index_select(1, Tensors.ofLongs(here)).reshape(-1, n);                       // [m len, N]
                    Tensor b = part.index_select(1, Tensors.ofLongs(there)).view(m, later, len, n).permute(0, 2, 1, 3)
                            .reshape(-1, (long) later * n);                                                    // [m len, later N]
                    block.add_(a.t().mm(b));
                }
            }
        }
    }

    /**
     * The row of pixel (y, x) in a map with two zero rows below and columns right of it, flattened; a pixel left of
     * the map (x = -1, -2, y >= 1) is a zero column of the row above.
     */
    private static long index(long y, long x, long width) {
        return y * (width + 2) + x;
    }

    /**
     * The feature sums: per tap, the map's sums minus the border row and column that tap never reads. The map's sums
     * are float32 column sums of at most CHUNK rows of {@code flat} ([rows, N], zeros included), added in float64.
     */
    private void addMass(Tensor flat, Tensor hf, long height, long width) {
        Tensor total = Gram.columnSums(flat);
        Tensor[] rowsAt = {sum(hf.select(2, 0), 0, 2), sum(hf.select(2, height - 1), 0, 2)};
        Tensor[] colsAt = {sum(hf.select(3, 0), 0, 2), sum(hf.select(3, width - 1), 0, 2)};
        for (int k = 0; k < 9; k++) {
            int oy = k / 3 - 1, ox = k % 3 - 1;
            Tensor m = total.clone();
            if (oy != 0) m.sub_(rowsAt[oy == 1 ? 0 : 1]);
            if (ox != 0) m.sub_(colsAt[ox == 1 ? 0 : 1]);
            if (oy != 0 && ox != 0) m.add_(sum(hf.select(2, oy == 1 ? 0 : height - 1).select(2, ox == 1 ? 0 : width - 1), 0));
            mass.narrow(0, (long) k * n, n).add_(m);
        }
    }

    /** cross[k N + c, :] += sum over output positions p of h(p + o_k)[c] z_p: one shifted GEMM per tap. */
    private void addCross(Tensor padded, Tensor z, long images, long height, long width, double[] cross) {
        long out = z.size(1), w2 = width + 2, total = images * (height + 2) * w2;
        if (z.size(0) != images * height * width || cross.length != 9L * n * out) {
            throw new IllegalArgumentException("target of shape " + java.util.Arrays.toString(z.shape()) + " for " + images + " images of "
                    + height + "x" + width + " and cross sums of " + cross.length);
        }
        Tensor zp = torch.zeros(new long[] {images, height + 2, width + 2, out}, new TensorOptions(ScalarType.Float)); // as H
        zp.narrow(1, 0, height).narrow(2, 0, width).copy_(z.reshape(images, height, width, out));
        Tensor sums = zeros(9L * n, out);
        Tensor part = torch.zeros(new long[] {n, out}, new TensorOptions(ScalarType.Float));
        FloatPointer hb = padded.data_ptr_float(), zb = zp.data_ptr_float(), pb = part.data_ptr_float();
        for (int k = 0; k < 9; k++) {
            long off = (k / 3 - 1) * w2 + (k % 3 - 1);
            Tensor rowsK = sums.narrow(0, (long) k * n, n);
            for (long q = Math.max(0, -off); q < Math.min(total, total - off); q += CHUNK) {
                int len = (int) Math.min(CHUNK, Math.min(total, total - off) - q);
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, (int) out, len, 1f, at(hb, (q + off) * n), n, at(zb, q * out),
                        (int) out, 0f, pb, (int) out);
                rowsK.add_(part);
            }
        }
        Tensors.accumulate(cross, sums);
    }

    private static Tensor sum(Tensor t, long... dims) {
        return t.sum(dims, false, new ScalarTypeOptional(ScalarType.Double));
    }

    private static FloatPointer at(FloatPointer base, long offset) {
        // an address with position 0, as BLAS reads it (getPointer offsets the address only)
        return base.getPointer(FloatPointer.class, base.position() + offset).position(0);
    }

    private static boolean positive(int dy, int dx) { return dy > 0 || dy == 0 && dx >= 0; }

    private static int shiftIndex(int dy, int dx) {
        for (int d = 0; d < SHIFTS.length; d++) if (SHIFTS[d][0] == dy && SHIFTS[d][1] == dx) return d;
        throw new IllegalStateException("no shift " + dy + "," + dx);
    }

    private static int[][] shifts() {
        int[][] s = new int[13][];
        int i = 0;
        for (int dy = 0; dy <= 2; dy++) for (int dx = -2; dx <= 2; dx++) if (positive(dy, dx)) s[i++] = new int[] {dy, dx};
        return s;
    }

    private static Tensor zeros(long... shape) {
        return torch.zeros(shape, new TensorOptions(ScalarType.Double));
    }

    @Override
    public void close() {
        for (Tensor t : full) t.releaseReference();
        border.releaseReference();
        mass.releaseReference();
    }
}
