package io.ispasp.kernels;

import org.bytedeco.javacpp.FloatPointer;

/**
 * Streams calibration batches h [rows x n] (fp32, row-major) and keeps a = sum h and Gamma = sum h h^T. Not
 * thread-safe. {@link #close()} releases the native (or device) memory.
 */
public interface StatisticsAccumulator extends AutoCloseable {
    int groups();

    /** Adds {@code rows} rows starting at {@code batch}'s position (native memory, e.g. a tensor's data). */
    void add(FloatPointer batch, long rows);

    /** Rows seen so far. */
    long rows();

    /** a (n) and the full symmetric Gamma (n x n, row-major), both float64. */
    Result result();

    record Result(double[] mass, double[] gram) {}

    @Override
    void close();
}
