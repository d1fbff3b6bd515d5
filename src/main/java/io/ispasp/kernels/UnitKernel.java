package io.ispasp.kernels;

/**
 * One unit on a backend: scores and residual of a support, residuals of many supports at once, and the whole
 * i-SpaSP loop in one call (on the GPU without a host round trip per iteration). Supports are ascending
 * group indices. Not thread-safe; {@link #close()} releases native or device memory.
 */
public interface UnitKernel extends AutoCloseable {
    int groups();

    int outputs();

    /** Scores (null unless {@code withScores}) and ||R||^2 for the kept groups {@code support}. */
    Evaluation evaluate(int[] support, boolean withScores);

    /** ||R||^2 for each row of {@code kept} (kept[b][i]: group i kept in support b). */
    double[] residuals(boolean[][] kept);

    /** T iterations from the empty support (see kernels.h, item 5). */
    Run run(int keep, int iterations, boolean earlyStop);

    /**
     * T iterations over groups of {@code taps} consecutive features (a 3x3 B: a channel's 9 patch features), from the
     * empty support, thresholded by {@code groupMass}; group scores from {@code q} ([groups, groups] row-major, g_c =
     * the sum of q[c][d] over the groups d outside the support) or, with {@code q} null, the unit's feature scores
     * summed over each group's taps (kernels.h, item 7). The support returned holds group indices.
     */
    Run runGroups(int taps, double[] groupMass, double[] q, int keep, int iterations, boolean earlyStop);

    /** Gamma[S,S] (s x s) and C[S,:] (s x out), row-major, for the refit. */
    Kept kept(int[] support);

    record Evaluation(double[] scores, double residual) {}

    /** Final support, ||R||^2 after each executed iteration (length = iterations run). */
    record Run(int[] support, double[] trace) {}

    record Kept(double[] gram, double[] cross) {}

    @Override
    void close();
}
