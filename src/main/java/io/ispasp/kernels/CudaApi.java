package io.ispasp.kernels;

import io.ispasp.kernels.cuda.CudaLib;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/** The CUDA backend; only used after {@link CudaGate} found a device. */
final class CudaApi implements NativeApi {
    @Override public String name() { return "cuda"; }
    @Override public String lastError() {
        BytePointer p = CudaLib.ispasp_cuda_last_error();
        return p == null || p.isNull() ? "" : p.getString();
    }
    @Override public Pointer statsNew(int n, int fp64) { return CudaLib.ispasp_cuda_stats_new(n, fp64); }
    @Override public int statsAdd(Pointer st, FloatPointer h, long rows) { return CudaLib.ispasp_cuda_stats_add(new CudaLib.Stats(st), h, rows); }
    @Override public int statsGet(Pointer st, DoublePointer mass, DoublePointer gram) { return CudaLib.ispasp_cuda_stats_get(new CudaLib.Stats(st), mass, gram); }
    @Override public long statsRows(Pointer st) { return CudaLib.ispasp_cuda_stats_rows(new CudaLib.Stats(st)); }
    @Override public void statsFree(Pointer st) { CudaLib.ispasp_cuda_stats_free(new CudaLib.Stats(st)); }
    @Override public Pointer unitNew(int n, int out, DoublePointer gram, DoublePointer mass, DoublePointer w, DoublePointer cross,
                                     DoublePointer zsum, DoublePointer szz, double zz, int score) {
        return CudaLib.ispasp_cuda_unit_new(n, out, gram, mass, w, cross, zsum, szz, zz, score);
    }
    @Override public int unitEvaluate(Pointer u, IntPointer support, int s, DoublePointer scores, DoublePointer residual) {
        return CudaLib.ispasp_cuda_unit_evaluate(new CudaLib.Unit(u), support, s, scores, residual);
    }
    @Override public int unitResiduals(Pointer u, BytePointer kept, int batch, DoublePointer residuals) {
        return CudaLib.ispasp_cuda_unit_residuals(new CudaLib.Unit(u), kept, batch, residuals);
    }
    @Override public int unitRun(Pointer u, int keep, int iterations, int earlyStop, IntPointer support, DoublePointer trace) {
        return CudaLib.ispasp_cuda_unit_run(new CudaLib.Unit(u), keep, iterations, earlyStop, support, trace);
    }
    @Override public int unitRunGroups(Pointer u, int taps, DoublePointer groupMass, DoublePointer q, int keep, int iterations,
                                       int earlyStop, IntPointer support, DoublePointer trace) {
        return CudaLib.ispasp_cuda_unit_run_groups(new CudaLib.Unit(u), taps, groupMass, q, keep, iterations, earlyStop, support, trace);
    }
    @Override public int unitKept(Pointer u, IntPointer support, int s, DoublePointer gramSS, DoublePointer crossS) {
        return CudaLib.ispasp_cuda_unit_kept(new CudaLib.Unit(u), support, s, gramSS, crossS);
    }
    @Override public void unitFree(Pointer u) { CudaLib.ispasp_cuda_unit_free(new CudaLib.Unit(u)); }
    @Override public int topkF32(FloatPointer x, long n, long k, LongPointer out) { return CudaLib.ispasp_cuda_topk_f32(x, n, k, out); }
    @Override public int bandSums(FloatPointer h, long images, int channels, int height, int width, DoublePointer bands) {
        return CudaLib.ispasp_cuda_band_sums(h, images, channels, height, width, bands);
    }
    @Override public int topkF64(DoublePointer x, long n, long k, LongPointer out) { return CudaLib.ispasp_cuda_topk_f64(x, n, k, out); }
}
