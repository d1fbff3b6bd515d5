package io.ispasp.kernels;

import io.ispasp.api.Score;

/**
 * The native kernels of native/include/ispasp/kernels.h behind one Java interface, with a C++ CPU and a CUDA
 * implementation that give the same answers (SPEC section 6). Obtain one with {@link Backends#select}.
 * Instances are stateless and thread-safe; the objects they create are not (use one per thread).
 */
public interface Kernels {
    /** "cpu" or "cuda". */
    String name();

    /** A streaming accumulator of activation mass and Gram matrix for {@code groups} groups. */
    StatisticsAccumulator statistics(int groups, boolean fp64);

    /** A unit ready for scoring, residuals and the fused i-SpaSP loop. */
    UnitKernel unit(UnitInputs inputs, Score score);

    /** Indices of the k largest values, ties by lower index, NaN last; ascending. */
    int[] topK(float[] values, int k);

    /** As {@link #topK(float[], int)} for {@code n} floats already in native memory (no copy). */
    int[] topK(org.bytedeco.javacpp.FloatPointer values, long n, int k);

    /** As {@link #topK(float[], int)} for doubles. */
    int[] topK(double[] values, int k);
}
