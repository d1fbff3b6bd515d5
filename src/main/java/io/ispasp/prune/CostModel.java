package io.ispasp.prune;

import io.ispasp.core.PathChoice;
import io.ispasp.core.Score;
import io.ispasp.core.Target;

/**
 * Chooses the direct or the statistics path for one unit by an estimate of the work in multiply-add
 * equivalents (the hidden activations H = A(X) are needed by both and not counted). With D calibration rows,
 * N groups, s kept, out = B's width, T iterations:
 * <pre>
 *   direct      D out N                                    (the target, once)
 *               + T (D out (N + s) + MEM D N)              (R, G = R W, and G's [D, N] write and reduction)
 *   statistics  D N^2 / 2 (+ D (N out + out^2) for the original target)     (SYRK for Gamma, one pass)
 *               + FP64 (N^2 out, + N^3 for group-norm)                      (M, CW in float64)
 *               + T FP64 (2 N s, or N s^2 + 2 N s for group-norm)           (the iterations, float64)
 * </pre>
 * MEM weighs a memory-bound element operation against a multiply-add of a large float32 matrix product; on the
 * 2-core development machine an element written and reduced costs about 64 MACs (measured, noisy). FP64 = 2. A narrow B (10 classes) with few calibration
 * rows favours the direct path; a wide B favours the statistics path by an order of magnitude or more.
 */
public final class CostModel {
    /** Cost of one memory-bound element operation in MACs. */
    public static final double MEM = 64;
    /** Cost of a float64 MAC in float32 MACs. */
    public static final double FP64 = 2;

    private CostModel() {}

    /** The decision and its reason. */
    public record Choice(PathChoice path, double directCost, double statisticsCost, String reason) {}

    public static Choice choose(PathChoice requested, int rows, int groups, int keep, int outputs, int iterations,
                                Score score, Target target) {
        double d = rows, n = groups, s = keep, out = outputs, t = iterations;
        double direct = d * out * n + t * (d * out * (n + s) + MEM * d * n);
        double stats = d * n * n / 2 + (target == Target.ORIGINAL ? d * (n * out + out * out) : 0)
                + FP64 * (n * n * out + (score == Score.GROUP_NORM ? n * n * n : 0))
                + t * FP64 * (score == Score.GROUP_NORM ? n * s * s + 2 * n * s : 2 * n * s);
        String est = String.format("estimated MACs: direct %.3g, statistics %.3g", direct, stats);
        if (requested == PathChoice.DIRECT) return new Choice(PathChoice.DIRECT, direct, stats, "requested; " + est);
        if (requested == PathChoice.STATISTICS) return new Choice(PathChoice.STATISTICS, direct, stats, "requested; " + est);
        PathChoice p = stats <= direct ? PathChoice.STATISTICS : PathChoice.DIRECT;
        return new Choice(p, direct, stats, "auto; " + est);
    }
}
