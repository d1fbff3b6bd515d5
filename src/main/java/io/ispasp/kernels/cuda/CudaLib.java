package io.ispasp.kernels.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI declarations of the ispasp_cuda_* functions of native/include/ispasp/kernels.h (see there for their meaning).
 * The CUDA kernels (libispasp_cuda.so, built by cmake + nvcc where nvcc exists). No static loader on purpose:
 * {@link io.ispasp.kernels.CudaGate} loads it and turns every failure (library not built, no driver, no GPU) into a
 * reason string instead of an exception.
 */
@Platform(include = "ispasp/kernels.h", link = "ispasp_cuda")
public final class CudaLib {

    private CudaLib() {}

    @Opaque @Name("ispasp_stats")
    public static final class Stats extends Pointer {
        public Stats() { super((Pointer) null); }
        public Stats(Pointer p) { super(p); }
    }

    @Opaque @Name("ispasp_unit")
    public static final class Unit extends Pointer {
        public Unit() { super((Pointer) null); }
        public Unit(Pointer p) { super(p); }
    }

    public static native @Cast("const char*") BytePointer ispasp_cuda_last_error();
    public static native int ispasp_cuda_device_count();
    public static native int ispasp_cuda_device_name(@Cast("char*") byte[] buf, int len);

    public static native Stats ispasp_cuda_stats_new(int n, int fp64);
    public static native int ispasp_cuda_stats_add(Stats st, @Cast("const float*") FloatPointer h, long rows);
    public static native int ispasp_cuda_stats_get(Stats st, DoublePointer mass, DoublePointer gram);
    public static native long ispasp_cuda_stats_rows(Stats st);
    public static native void ispasp_cuda_stats_free(Stats st);

    public static native Unit ispasp_cuda_unit_new(int n, int out, @Cast("const double*") DoublePointer gram,
            @Cast("const double*") DoublePointer mass, @Cast("const double*") DoublePointer w,
            @Cast("const double*") DoublePointer cross, @Cast("const double*") DoublePointer zsum,
            @Cast("const double*") DoublePointer szz, double zz, int score);
    public static native int ispasp_cuda_unit_evaluate(Unit u, @Cast("const int32_t*") IntPointer support, int s,
            DoublePointer scores, DoublePointer residual);
    public static native int ispasp_cuda_unit_residuals(Unit u, @Cast("const uint8_t*") BytePointer kept, int batch,
            DoublePointer residuals);
    public static native int ispasp_cuda_unit_run(Unit u, int keep, int iterations, int earlyStop,
            @Cast("int32_t*") IntPointer support, DoublePointer trace);
    public static native int ispasp_cuda_unit_run_groups(Unit u, int taps, @Cast("const double*") DoublePointer groupMass,
            @Cast("const double*") DoublePointer q, int keep, int iterations, int earlyStop,
            @Cast("int32_t*") IntPointer support, DoublePointer trace);
    public static native int ispasp_cuda_unit_kept(Unit u, @Cast("const int32_t*") IntPointer support, int s,
            DoublePointer gramSS, DoublePointer crossS);
    public static native void ispasp_cuda_unit_free(Unit u);

    public static native int ispasp_cuda_topk_f32(@Cast("const float*") FloatPointer x, long n, long k,
            @Cast("int64_t*") LongPointer out);
    public static native int ispasp_cuda_band_sums(@Cast("const float*") FloatPointer h, long images, int channels,
            int height, int width, DoublePointer bands);
    public static native int ispasp_cuda_topk_f64(@Cast("const double*") DoublePointer x, long n, long k,
            @Cast("int64_t*") LongPointer out);
}
