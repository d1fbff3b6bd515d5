package io.ispasp.prune;

/**
 * Answers the i-SpaSP loop's questions about a unit for a given support S (kept groups, ascending): the group
 * scores against the residual R = target - B(H restricted to S), and ||R||^2. Two implementations give the same
 * answers: {@link DirectOracle} (explicit residual on the data each call) and {@link StatisticsOracle} (from
 * statistics gathered in one pass).
 */
public interface ScoreOracle extends AutoCloseable {
    /** Releases native memory held by the oracle. */
    @Override
    void close();

    /** Number of groups N. */
    int groups();

    /** Activation mass a[c] = sum over the data of H[:, c], the thresholding key. */
    double[] activationMass();

    Evaluation evaluate(int[] support, boolean withScores);

    /** Statistics restricted to the groups {@code support} (ascending), for the refit and least-squares thresholding. */
    KeptStatistics kept(int[] support);

    /** The diagonal blocks of the feature Gram, one per group, and the feature sums (see {@link GroupGrams}). */
    GroupGrams groupGrams();

    /**
     * Per group g, the Gram of its own taps features, sum_p u_g,p u_g,p^T ([N, taps, taps] row-major); the sums of
     * every feature (N taps) and the number of rows: what the energy of each group's share of a fit on all groups
     * needs, without the full Gram.
     */
    record GroupGrams(int taps, double[] blocks, double[] featureSums, long rows) {
        /** The diagonal taps x taps blocks of {@code gram} ([F, F] row-major, F = featureSums.length). */
        static GroupGrams of(double[] gram, int taps, double[] featureSums, long rows) {
            int f = featureSums.length, n = f / taps;
            double[] blocks = new double[n * taps * taps];
            for (int g = 0; g < n; g++) {
                for (int a = 0; a < taps; a++) {
                    for (int b = 0; b < taps; b++) blocks[(g * taps + a) * taps + b] = gram[(g * taps + a) * f + g * taps + b];
                }
            }
            return new GroupGrams(taps, blocks, featureSums, rows);
        }
    }

    /**
     * For groups S (s of them), the F = s taps features B reads from them at each of its input rows p (one row per
     * output position; feature i taps + k is the i-th group of S at tap k, B's own weight order), and B's output
     * width out: gram = sum_p u_p u_p^T (F x F, row-major), cross = sum_p u_p z_p^T (F x out, row-major; z the
     * target of B's linear part), ||z||^2, the feature sums sum_p u_p (F), the target sums sum_p z_p (out) and the
     * number of rows, all over the calibration data.
     */
    record KeptStatistics(int size, int outputs, double[] gram, double[] cross, double targetSquaredNorm,
                          double[] featureSums, double[] targetSums, long rows) {
        public KeptStatistics {
            if (gram.length != (long) size * size || cross.length != (long) size * outputs || featureSums.length != size
                    || targetSums.length != outputs) {
                throw new IllegalArgumentException("kept statistics of " + size + " features and " + outputs + " outputs have sizes "
                        + gram.length + ", " + cross.length + ", " + featureSums.length + ", " + targetSums.length);
            }
        }
    }
}
