package io.ispasp.kernels;

import io.ispasp.kernels.cpu.CpuLib;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/** The C++ CPU backend. */
final class CpuApi implements NativeApi {
    @Override public String name() { return "cpu"; }
    @Override public String lastError() {
        BytePointer p = CpuLib.ispasp_cpu_last_error();
        return p == null || p.isNull() ? "" : p.getString();
    }
    @Override public Pointer statsNew(int n, int fp64) { return CpuLib.ispasp_cpu_stats_new(n, fp64); }
    @Override public int statsAdd(Pointer st, FloatPointer h, long rows) { return CpuLib.ispasp_cpu_stats_add(new CpuLib.Stats(st), h, rows); }
    @Override public int statsGet(Pointer st, DoublePointer mass, DoublePointer gram) { return CpuLib.ispasp_cpu_stats_get(new CpuLib.Stats(st), mass, gram); }
    @Override public long statsRows(Pointer st) { return CpuLib.ispasp_cpu_stats_rows(new CpuLib.Stats(st)); }
    @Override public void statsFree(Pointer st) { CpuLib.ispasp_cpu_stats_free(new CpuLib.Stats(st)); }
    @Override public Pointer unitNew(int n, int out, DoublePointer gram, DoublePointer mass, DoublePointer w, DoublePointer cross,
                                     DoublePointer zsum, DoublePointer szz, double zz, int score) {
        return CpuLib.ispasp_cpu_unit_new(n, out, gram, mass, w, cross, zsum, szz, zz, score);
    }
    @Override public int unitEvaluate(Pointer u, IntPointer support, int s, DoublePointer scores, DoublePointer residual) {
        return CpuLib.ispasp_cpu_unit_evaluate(new CpuLib.Unit(u), support, s, scores, residual);
    }
    @Override public int unitResiduals(Pointer u, BytePointer kept, int batch, DoublePointer residuals) {
        return CpuLib.ispasp_cpu_unit_residuals(new CpuLib.Unit(u), kept, batch, residuals);
    }
    @Override public int unitRun(Pointer u, int keep, int iterations, int earlyStop, IntPointer support, DoublePointer trace) {
        return CpuLib.ispasp_cpu_unit_run(new CpuLib.Unit(u), keep, iterations, earlyStop, support, trace);
    }
    @Override public int unitRunGroups(Pointer u, int taps, DoublePointer groupMass, DoublePointer q, int keep, int iterations,
                                       int earlyStop, IntPointer support, DoublePointer trace) {
        return CpuLib.ispasp_cpu_unit_run_groups(new CpuLib.Unit(u), taps, groupMass, q, keep, iterations, earlyStop, support, trace);
    }
    @Override public int unitKept(Pointer u, IntPointer support, int s, DoublePointer gramSS, DoublePointer crossS) {
        return CpuLib.ispasp_cpu_unit_kept(new CpuLib.Unit(u), support, s, gramSS, crossS);
    }
    @Override public void unitFree(Pointer u) { CpuLib.ispasp_cpu_unit_free(new CpuLib.Unit(u)); }
    @Override public int topkF32(FloatPointer x, long n, long k, LongPointer out) { return CpuLib.ispasp_cpu_topk_f32(x, n, k, out); }
    @Override public int bandSums(FloatPointer h, long images, int channels, int height, int width, DoublePointer bands) {
        return CpuLib.ispasp_cpu_band_sums(h, images, channels, height, width, bands);
    }
    @Override public int topkF64(DoublePointer x, long n, long k, LongPointer out) { return CpuLib.ispasp_cpu_topk_f64(x, n, k, out); }
}
