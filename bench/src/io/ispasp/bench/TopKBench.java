package io.ispasp.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.ispasp.engine.Tensors;
import io.ispasp.kernels.Backends;
import io.ispasp.prune.TopK;
import io.ispasp.runtime.TorchRuntime;
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
 * Kernel 4, top-k of 1M floats (ties by lower index, NaN last, ascending indices): the C++ radix select against
 * libtorch's topk (same size, its own tie order) and the foundation's Java reference (a full sort).
 * Run: {@code ./ispasp bench jmh TopKBench -f 1 -wi 2 -i 5 -w 1s -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TopKBench {
    @Param({"1000000"})
    public int n;

    @Param({"1000", "100000"})
    public int k;

    private float[] values;
    private double[] doubles;
    private Tensor tensor;

    @Setup(Level.Trial)
    public void setUp() {
        TorchRuntime.init();
        SplittableRandom r = new SplittableRandom(2);
        values = new float[n];
        doubles = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) r.nextGaussian();
            doubles[i] = values[i];
        }
        try (PointerScope scope = new PointerScope()) {
            tensor = Tensors.retained(Tensors.of(values, n));
        }
    }

    /** From a Java array: includes copying the 4 MB into native memory. */
    @Benchmark
    public int[] cppKernel() {
        return Backends.cpu().topK(values, k);
    }

    /** From native memory (a tensor's data, as the engine holds its scores): the kernel alone plus JNI. */
    @Benchmark
    public int[] cppKernelNativeInput() {
        return Backends.cpu().topK(tensor.data_ptr_float(), n, k);
    }

    @Benchmark
    public long libtorchTopk() {
        try (PointerScope scope = new PointerScope()) {
            return tensor.topk(k).get1().numel();
        }
    }

    @Benchmark
    public int[] javaReference() {
        return TopK.indices(doubles, k);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tensor.releaseReference();
    }
}
