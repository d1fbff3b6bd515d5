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

    /** Statistics restricted to the kept groups, for the refit. */
    KeptStatistics kept(int[] support);

    /**
     * For kept groups S (s of them) and B's output width out: gram = sum_p h_S h_S^T (s x s, row-major),
     * cross = sum_p h_S z^T (s x out, row-major, z = target minus B's bias) and ||z||^2 summed over the data.
     */
    record KeptStatistics(int size, int outputs, double[] gram, double[] cross, double targetSquaredNorm) {}
}
