package io.ispasp.prune;

import io.ispasp.api.PathChoice;
import io.ispasp.api.Score;
import io.ispasp.api.Target;

/**
 * Chooses the direct or the statistics path for one unit by estimated multiply-adds (the hidden activations
 * H = A(X) are needed by both and not counted). With D calibration rows, N groups, s kept, out = B's width,
 * T iterations:
 * <pre>
 *   direct      D out N                      (target, once)  + T D out (N + s)          (residual and G = R W)
 *   statistics  D N^2 (+ D (N out + out^2) for the original target)                    (Gamma, one pass)
 *               + 2 (N^2 out + N^3)                                                     (M, CW in float64)
 *               + T * 2 * (N s, or N s^2 for group-norm)                                (the iterations, float64)
 * </pre>
 * Float64 work is weighted 2x against float32. A narrow B (10 classes) with a wide N favours the direct path;
 * a wide B favours the statistics path by orders of magnitude.
 */
public final class CostModel {
    private CostModel() {}

    /** The decision and its reason. */
    public record Choice(PathChoice path, double directCost, double statisticsCost, String reason) {}

    public static Choice choose(PathChoice requested, int rows, int groups, int keep, int outputs, int iterations,
                                Score score, Target target) {
        double d = rows, n = groups, s = keep, out = outputs, t = iterations;
        double direct = d * out * n + t * d * out * (n + s);
        double stats = d * n * n + (target == Target.ORIGINAL ? d * (n * out + out * out) : 0)
                + 2 * (n * n * out + n * n * n)
                + t * 2 * (score == Score.GROUP_NORM ? n * s * s + 2 * n * s : 2 * n * s);
        String est = String.format("estimated MACs: direct %.3g, statistics %.3g", direct, stats);
        if (requested == PathChoice.DIRECT) return new Choice(PathChoice.DIRECT, direct, stats, "requested; " + est);
        if (requested == PathChoice.STATISTICS) return new Choice(PathChoice.STATISTICS, direct, stats, "requested; " + est);
        PathChoice p = stats <= direct ? PathChoice.STATISTICS : PathChoice.DIRECT;
        return new Choice(p, direct, stats, "auto; " + est);
    }
}
