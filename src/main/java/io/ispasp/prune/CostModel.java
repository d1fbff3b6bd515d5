package io.ispasp.prune;

import io.ispasp.core.PathChoice;
import io.ispasp.core.Score;
import io.ispasp.core.Target;

/**
 * Chooses the direct or the statistics path for one unit by an estimate of the work in multiply-add equivalents
 * (the hidden activations H = A(X) are needed by both and not counted). With D rows (samples x positions of H),
 * N groups, s kept, out = B's width, taps = B's kernel taps (f = taps N features per row), T iterations:
 * <pre>
 *   direct      D out N taps                                   (the target, once)
 *               + T (D out (N + s) taps + MEM D N)             (R, G = B^T R, and G's [D, N] write and reduction)
 *   statistics  D f^2 / 2 (+ D (N out + out^2) for the original target)     (SYRK for Gamma, one pass)
 *               + FP64 (f^2 out, + N^3 for group-norm)                       (M, CW in float64)
 *               + T FP64 (2 f taps s, or N s^2 + 2 N s for group-norm)       (the iterations, float64)
 *   both, per iteration, with the least-squares threshold (m = taps min(3s, N) merged features):
 *               FP64 (m^3 / 3 + 2 m^2 out)                                   (the ridge solve)
 *               + direct: D m (m / 2 + out)  | statistics: FP64 m f out      (the merged set's Gram and cross)
 *   and with a fit of each iterate (best iterate with refit), the same with m = taps s.
 * </pre>
 * MEM weighs a memory-bound element operation against a multiply-add of a large float32 matrix product; on the
 * 2-core development machine an element written and reduced costs about 64 MACs (measured, noisy). FP64 = 2. A
 * narrow B (10 classes) with few calibration rows favours the direct path; a wide B favours the statistics path by
 * an order of magnitude or more. Where the statistics path does not apply (group-norm or the original target on a
 * 3x3 B, a strided 3x3 B) the direct path is the only one, and the reason says why.
 */
public final class CostModel {
    /** Cost of one memory-bound element operation in MACs. */
    public static final double MEM = 64;
    /** Cost of a float64 MAC in float32 MACs. */
    public static final double FP64 = 2;

    private CostModel() {}

    /** The decision and its reason. */
    public record Choice(PathChoice path, double directCost, double statisticsCost, String reason) {}

    /** For a unit whose B reads one position per row (a Linear or a 1x1 conv). */
    public static Choice choose(PathChoice requested, long rows, int groups, int keep, int outputs, int iterations,
                                Score score, Target target) {
        return choose(requested, rows, groups, keep, outputs, 1, iterations, score, target, false, false, null);
    }

    /**
     * @param lsq         whether each iteration cuts by least squares (a ridge fit on the merged set)
     * @param fitIterates whether each iterate is refit (best iterate with the refit)
     * @param unsupported why the statistics path cannot serve this unit, or null when it can (group-norm on a
     *                    multi-tap B is added here)
     */
    public static Choice choose(PathChoice requested, long rows, int groups, int keep, int outputs, int taps,
                                int iterations, Score score, Target target, boolean lsq, boolean fitIterates,
                                String unsupported) {
        double d = rows, n = groups, s = keep, out = outputs, t = iterations, f = taps * n;
        boolean groupNorm = score == Score.GROUP_NORM;
        double direct = d * out * n * taps + t * (d * out * (n + s) * taps + MEM * d * n);
        double stats = d * f * f / 2 + (target == Target.ORIGINAL ? d * (n * out + out * out) : 0)
                + FP64 * (f * f * out + (groupNorm ? n * n * n : 0))
                + t * FP64 * (groupNorm ? n * s * s + 2 * n * s : 2 * f * taps * s);
        for (double m : new double[] {lsq ? taps * Math.min(3 * s, n) : 0, fitIterates ? taps * s : 0}) {
            if (m == 0) continue;
            double solve = FP64 * (m * m * m / 3 + 2 * m * m * out);
            direct += t * (solve + d * m * (m / 2 + out));
            stats += t * (solve + FP64 * m * f * out);
        }
        String est = String.format("estimated MACs: direct %.3g, statistics %.3g", direct, stats);
        String why = unsupported != null ? unsupported
                : taps != 1 && groupNorm ? "group-norm on a " + taps + "-tap B needs statistics across positions" : null;
        if (why != null) {
            if (requested == PathChoice.STATISTICS) {
                throw new IllegalArgumentException("--path statistics: " + why + " (use --path direct"
                        + (groupNorm ? ", or --score signed-sum or correlation)" : ")"));
            }
            return new Choice(PathChoice.DIRECT, direct, Double.POSITIVE_INFINITY,
                    (requested == PathChoice.DIRECT ? "requested; " : "only path; ") + why + "; " + est);
        }
        if (requested != PathChoice.AUTO) return new Choice(requested, direct, stats, "requested; " + est);
        return new Choice(stats <= direct ? PathChoice.STATISTICS : PathChoice.DIRECT, direct, stats, "auto; " + est);
    }
}
