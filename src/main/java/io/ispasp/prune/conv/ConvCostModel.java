package io.ispasp.prune.conv;

import io.ispasp.core.PathChoice;
import io.ispasp.core.Score;
import io.ispasp.prune.CostModel;

/**
 * Direct or statistics path for a conv unit, by estimated multiply-adds (as {@link CostModel} for MLP units).
 * With D = images x positions rows, N channels, s kept, out = B's outputs, taps = 9 (3x3) or 1, T iterations:
 * <pre>
 *   direct      D out N taps                                  (the target, once)
 *               + T (2 D out N taps + MEM D N)                (B on the masked H, the transposed conv, the reduction)
 *   statistics  D (taps N)^2 / 2                              (the patch Gram, one pass)
 *               + FP64 ((taps N)^2 out + T 2 (taps N)(taps s)) (set-up and iterations, float64)
 * </pre>
 * Group-norm on a 3x3 B has no statistics path (it needs sums across positions): it is always direct.
 */
public final class ConvCostModel {
    private ConvCostModel() {}

    public static CostModel.Choice choose(PathChoice requested, long rows, int groups, int keep, int outputs, int taps,
                                          int iterations, Score score) {
        double d = rows, n = groups, s = keep, out = outputs, t = iterations, f = taps * n;
        double direct = d * out * n * taps + t * (2 * d * out * n * taps + CostModel.MEM * d * n);
        double stats = d * f * f / 2 + CostModel.FP64 * (f * f * out + t * 2 * f * taps * s);
        String est = String.format("estimated MACs: direct %.3g, statistics %.3g", direct, stats);
        if (taps != 1 && score == Score.GROUP_NORM) {
            String why = "group-norm on a " + (taps == 9 ? "3x3" : taps + "-tap") + " B needs statistics across positions; " + est;
            if (requested == PathChoice.STATISTICS) {
                throw new IllegalArgumentException("--path statistics: " + why + " (use --score signed-sum or correlation, or --path direct)");
            }
            return new CostModel.Choice(PathChoice.DIRECT, direct, Double.POSITIVE_INFINITY, (requested == PathChoice.DIRECT ? "requested; " : "only path; ") + why);
        }
        if (requested != PathChoice.AUTO) return new CostModel.Choice(requested, direct, stats, "requested; " + est);
        return new CostModel.Choice(stats <= direct ? PathChoice.STATISTICS : PathChoice.DIRECT, direct, stats, "auto; " + est);
    }
}
