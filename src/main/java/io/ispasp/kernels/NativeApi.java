package io.ispasp.kernels;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The C API of one backend (the ispasp_cpu_* or ispasp_cuda_* family), so {@link NativeKernels} wraps both
 * with one piece of Java. Handles are opaque pointers; int results follow kernels.h (negative = error).
 */
interface NativeApi {
    String name();

    String lastError();

    Pointer statsNew(int n, int fp64);

    int statsAdd(Pointer st, FloatPointer h, long rows);

    int statsGet(Pointer st, DoublePointer mass, DoublePointer gram);

    long statsRows(Pointer st);

    void statsFree(Pointer st);

    Pointer unitNew(int n, int out, DoublePointer gram, DoublePointer mass, DoublePointer w, DoublePointer cross,
                    DoublePointer zsum, DoublePointer szz, double zz, int score);

    int unitEvaluate(Pointer u, IntPointer support, int s, DoublePointer scores, DoublePointer residual);

    int unitResiduals(Pointer u, BytePointer kept, int batch, DoublePointer residuals);

    int unitRun(Pointer u, int keep, int iterations, int earlyStop, IntPointer support, DoublePointer trace);

    int unitRunGroups(Pointer u, int taps, DoublePointer groupMass, DoublePointer q, int keep, int iterations, int earlyStop,
                      IntPointer support, DoublePointer trace);

    int unitKept(Pointer u, IntPointer support, int s, DoublePointer gramSS, DoublePointer crossS);

    void unitFree(Pointer u);

    int topkF32(FloatPointer x, long n, long k, LongPointer out);

    int topkF64(DoublePointer x, long n, long k, LongPointer out);

    int bandSums(FloatPointer h, long images, int channels, int height, int width, DoublePointer bands);
}
