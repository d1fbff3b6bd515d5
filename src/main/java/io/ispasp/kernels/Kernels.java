package io.ispasp.kernels;

import io.ispasp.core.Score;

/**
 * The native kernels of native/include/ispasp/kernels.h behind one Java interface, with a C++ CPU and a CUDA
 * implementation that give the same answers (docs/design.md, section "Native kernels"). Obtain one with {@link Backends#select}.
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

    /**
     * Position-shifted sums for a 3x3 conv B (kernels.h item 6): adds into {@code bands} [channels x 5 x 5] the
     * sums of each channel of h [images x channels x height x width] (fp32, NCHW, native memory) over the 5 x 5
     * blocks of row and column bands {0, 1, 2..size-3, size-2, size-1}. Needs height, width >= 4.
     */
    void bandSums(org.bytedeco.javacpp.FloatPointer h, long images, int channels, int height, int width, double[] bands);
}
