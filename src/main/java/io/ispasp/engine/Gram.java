package io.ispasp.engine;

import io.ispasp.kernels.StatisticsAccumulator;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.CblasUpper;
import static org.bytedeco.openblas.global.openblas.cblas_ssyrk;

/**
 * The statistics accumulator of the CPU statistics path, on OpenBLAS: Gamma = sum over rows of h h^T by SYRK (upper
 * triangle) in float32 over at most {@link #FLUSH_ROWS} rows, then added into a float64 sum, and the mass a = sum h in
 * float64: the precision contract of the C++ kernel (native/cpu). OpenBLAS's SYRK ran 2.3-2.8x faster than the C++ kernel
 * on this project's machine (docs/platform.md, "Statistics on the CPU"); the C++ kernel stays as the CUDA kernel's
 * twin, and the two are checked against each other (KernelsMatchReferenceTest).
 */
public final class Gram implements StatisticsAccumulator {
    /** Rows summed in float32 before they go into the float64 sums (the C++ kernel's chunk). */
    static final int FLUSH_ROWS = 4096;
    private final int n;
    private final Tensor chunk;     // [n, n] float32: upper triangle of the rows since the last flush
    private final Tensor total;     // [n, n] float64 (upper triangle meaningful)
    private final Tensor mass;      // [n] float64
    private long rows;
    private int pending;

    /**
     * {@code acc} += a^T b ([rows, p] and [rows, q] float32, {@code acc} [p, q] row-major) in this class's precision:
     * float32 products over at most {@link #FLUSH_ROWS} rows, float64 sums across. One float32 product over a whole
     * batch (200k rows of a 56 x 56 map) was about 35x less exact (1.5e-6 against 4e-8 of the largest entry).
     */
    public static void accumulateProducts(double[] acc, Tensor a, Tensor b) {
        long rows = a.size(0);
        if (b.size(0) != rows || acc.length != a.size(1) * b.size(1)) {
            throw new IllegalArgumentException("products of " + java.util.Arrays.toString(a.shape()) + " and "
                    + java.util.Arrays.toString(b.shape()) + " into " + acc.length + " sums");
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor sum = zeros(ScalarType.Double, a.size(1), b.size(1));
            for (long q = 0; q < rows; q += FLUSH_ROWS) {
                long len = Math.min(FLUSH_ROWS, rows - q);
                sum.add_(a.narrow(0, q, len).t().mm(b.narrow(0, q, len)));
            }
            Tensors.accumulate(acc, sum);
        }
    }

    /** The column sums of {@code a} [rows, p] as float64 [p], in this class's precision (float32 within chunks). */
    public static Tensor columnSums(Tensor a) {
        Tensor sum = zeros(ScalarType.Double, a.size(1));
        for (long q = 0; q < a.size(0); q += FLUSH_ROWS) {
            sum.add_(a.narrow(0, q, Math.min(FLUSH_ROWS, a.size(0) - q)).sum(new long[] {0}, false, new ScalarTypeOptional(ScalarType.Float)));
        }
        return sum;
    }

    public Gram(int n) {
        if (n < 1) throw new IllegalArgumentException("groups must be >= 1, got " + n);
        this.n = n;
        try (PointerScope scope = new PointerScope()) {
            chunk = Tensors.retained(zeros(ScalarType.Float, n, n));
            total = Tensors.retained(zeros(ScalarType.Double, n, n));
            mass = Tensors.retained(zeros(ScalarType.Double, n));
        }
    }

    @Override
    public int groups() { return n; }

    @Override
    public void add(FloatPointer batch, long count) {
        if (count < 0) throw new IllegalArgumentException("bad row count " + count);
        for (long from = 0; from < count; ) {
            int r = (int) Math.min(FLUSH_ROWS - pending, count - from);
            // row `from` as an address with position 0, for BLAS and from_blob alike (getPointer offsets the address only)
            FloatPointer part = batch.getPointer(FloatPointer.class, batch.position() + from * n).position(0);
            float beta = pending == 0 ? 0f : 1f;
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, n, r, 1f, part, n, beta, chunk.data_ptr_float(), n);
            try (PointerScope scope = new PointerScope()) {   // the mass in float64 throughout, as the C++ kernel sums it
                mass.add_(torch.from_blob(part, new long[] {r, n}, new TensorOptions(ScalarType.Float))
                        .sum(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional(ScalarType.Double)));
            }
            pending += r;
            from += r;
            if (pending == FLUSH_ROWS) flush();
        }
        rows += count;
    }

    private void flush() {
        if (pending == 0) return;
        total.add_(chunk);
        pending = 0;
    }

    @Override
    public long rows() { return rows; }

    /** The activation mass and the full symmetric Gram matrix so far, row-major n x n. */
    @Override
    public Result result() {
        flush();
        try (PointerScope scope = new PointerScope()) {
            Tensor upper = total.triu(0);
            return new Result(Tensors.doubles(mass), Tensors.doubles(upper.add(upper.triu(1).t())));
        }
    }

    private static Tensor zeros(ScalarType type, long... shape) {
        return torch.zeros(shape, new TensorOptions(type));
    }

    @Override
    public void close() {
        for (Tensor t : new Tensor[] {chunk, total, mass}) t.releaseReference();
    }
}
