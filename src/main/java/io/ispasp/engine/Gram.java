package io.ispasp.engine;

import io.ispasp.kernels.StatisticsAccumulator;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;

import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.CblasUpper;
import static org.bytedeco.openblas.global.openblas.cblas_ssyrk;

/**
 * The reference statistics accumulator (the foundation's libtorch/BLAS path, kept to check the native kernels
 * against): Gamma = sum over rows of h h^T, one BLAS SYRK per batch (upper triangle only) added into a float64
 * sum, and the activation mass summed in float64 in Java.
 */
public final class Gram implements StatisticsAccumulator {
    private final int n;
    private final double[] upper;
    private final double[] mass;
    private long rows;

    public Gram(int n) {
        this.n = n;
        this.upper = new double[Math.multiplyExact(n, n)];
        this.mass = new double[n];
    }

    @Override
    public int groups() { return n; }

    @Override
    public void add(FloatPointer batch, long count) {
        if (count < 0 || count > Integer.MAX_VALUE) throw new IllegalArgumentException("bad row count " + count);
        int r = (int) count;
        float[] h = new float[Math.multiplyExact(r, n)];
        batch.get(h);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < n; j++) mass[j] += h[i * n + j];
        }
        try (PointerScope scope = new PointerScope()) {
            FloatPointer out = new FloatPointer((long) n * n);
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, n, r, 1f, batch, n, 0f, out, n);
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) upper[i * n + j] += out.get((long) i * n + j);
            }
        }
        rows += count;
    }

    @Override
    public long rows() { return rows; }

    /** The activation mass and the full symmetric Gram matrix so far, row-major n x n. */
    @Override
    public Result result() {
        double[] full = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                full[i * n + j] = upper[i * n + j];
                full[j * n + i] = upper[i * n + j];
            }
        }
        return new Result(mass.clone(), full);
    }

    @Override
    public void close() {}
}
