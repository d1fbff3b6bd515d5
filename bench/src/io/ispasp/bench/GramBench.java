package io.ispasp.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.ispasp.engine.Gram;
import io.ispasp.kernels.Backends;
import io.ispasp.kernels.StatisticsAccumulator;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Kernel 1, the statistics pass: Gamma += H^T H for one batch of {@code rows} x {@code n} fp32 activations.
 * C++ kernel (upper triangle, fp32 batch Gram added into float64) against libtorch's own matmul of the same
 * product (a full GEMM, fp32) and the foundation's reference (OpenBLAS SYRK + float64 sum in Java).
 * Run: {@code ./ispasp bench jmh GramBench -f 1 -wi 2 -i 5 -w 1s -r 2s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class GramBench {
    @Param({"1024", "2048"})
    public int n;

    @Param({"4096"})
    public int rows;

    private Tensor h;
    private FloatPointer data;
    private StatisticsAccumulator cpp;
    private Gram blas;

    @Setup(Level.Trial)
    public void setUp() {
        TorchRuntime.init();
        float[] x = new float[rows * n];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.max(0, r.nextGaussian());
        try (PointerScope scope = new PointerScope()) {
            h = io.ispasp.engine.Tensors.retained(io.ispasp.engine.Tensors.of(x, rows, n));
        }
        data = h.data_ptr_float();
        cpp = Backends.cpu().statistics(n, true);
        blas = new Gram(n);
    }

    @Benchmark
    public long cppKernel() {
        cpp.add(data, rows);
        return cpp.rows();
    }

    @Benchmark
    public long libtorchMatmul() {
        try (PointerScope scope = new PointerScope()) {
            return h.t().mm(h).numel();
        }
    }

    @Benchmark
    public long blasSyrkReference() {
        blas.add(data, rows);
        return blas.rows();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpp.close();
        h.releaseReference();
    }
}
