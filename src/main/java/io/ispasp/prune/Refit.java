package io.ispasp.prune;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Ridge least squares of a unit's target on the features B reads from a set of groups ({@link
 * ScoreOracle.KeptStatistics}): the weights W [out, F] minimising sum_p ||z_p - W u_p - b||^2 + lambda ||W||^2, with
 * lambda = rel * mean(diag Gamma) and, with an intercept, b free (not penalised; the problem is solved on centred
 * statistics: Gamma - f f^T / n, C - f t^T / n, ||z||^2 - ||t||^2 / n). For B followed by an eval-mode BN the target
 * and the weights carry the BN scale kappa per output; each output row is its own problem, so dividing the fitted
 * rows by kappa afterwards gives the least-squares conv weights against the pre-BN target (docs/design.md, "Refit").
 */
public final class Refit {
    private Refit() {}

    /**
     * @param weight    fitted weights, [out, F] row-major
     * @param intercept the fitted intercept b [out], or null without one
     * @param residual  sum_p ||z_p - W u_p - b||^2 on the calibration data
     * @param energy    per group of {@code taps} consecutive features, sum_p ||W_g (u_p - mean u)_g||^2: how much of
     *                  the fit that group carries (the least-squares thresholding key)
     */
    public record Result(float[] weight, float[] intercept, double residual, double[] energy) {}

    public static Result solve(ScoreOracle.KeptStatistics k, double relativeLambda, boolean intercept, int taps) {
        int f = k.size(), out = k.outputs();
        if (f % taps != 0) throw new IllegalArgumentException(f + " features are not groups of " + taps + " taps");
        try (PointerScope scope = new PointerScope()) {
            Tensor gram = Tensors.of(k.gram(), f, f);
            Tensor cross = Tensors.of(k.cross(), f, out);
            double zz = k.targetSquaredNorm();
            Tensor fs = Tensors.of(k.featureSums(), f, 1), ts = Tensors.of(k.targetSums(), out, 1);
            double n = k.rows();
            if (intercept && n > 0) {
                // in place: the same values as gram - (f f^T) / n without three [F, F] temporaries
                gram.sub_(fs.mm(fs.t()).div_(new Scalar(n)));
                cross.sub_(fs.mm(ts.t()).div_(new Scalar(n)));
                zz -= ts.mul(ts).sum().item_double() / n;
            }
            Tensor x = ridge(gram, cross, relativeLambda);                   // [F, out]
            double residual = zz - 2 * x.mul(cross).sum().item_double() + gram.mm(x).mul(x).sum().item_double();
            float[] b = null;
            if (intercept) {
                b = n > 0 ? Tensors.floats(ts.sub(x.t().mm(fs)).div(new Scalar(n)).view(out)) : new float[out];
            }
            double[] weight = Tensors.doubles(x.t().contiguous());             // [out, F]
            // the energies from the (already centred) Gram's diagonal blocks, [groups, taps, taps]: no second centring
            long groups = f / taps;
            double[] blocks = Tensors.doubles(gram.view(groups, taps, groups, taps).diagonal(0, 0, 2).permute(2, 0, 1).contiguous());
            double[] energy = energies(new ScoreOracle.GroupGrams(taps, blocks, k.featureSums(), k.rows()), weight, out, false);
            float[] w = new float[weight.length];
            for (int i = 0; i < w.length; i++) w[i] = (float) weight[i];
            return new Result(w, b, Math.max(0, residual), energy);
        }
    }

    /** (Gamma + lambda I)^-1 C by Cholesky, float64; the ridge grows x10 (ten tries) if rounding made Gamma indefinite. */
    static Tensor ridge(Tensor gram, Tensor cross, double relativeLambda) {
        double meanDiag = Math.max(0, gram.diagonal().mean().item_double());
        double lambda = Math.max(relativeLambda * meanDiag, 1e-12 * Math.max(1, meanDiag));
        // Gram matrices summed from float32 batches can be indefinite by rounding when groups are (nearly) collinear
        // or dead; a larger ridge then makes the system solvable.
        for (int attempt = 0; ; attempt++) {
            try {
                Tensor ridged = gram.clone();   // lambda on the diagonal: the values of gram + lambda I, no identity matrix
                ridged.diagonal().add_(new Scalar(lambda));
                Tensor l = torch.linalg_cholesky(ridged);
                // L y = C, then L^T x = y: what cholesky_solve does, 2-3x faster here (it copies into LAPACK's layout first)
                Tensor y = torch.linalg_solve_triangular(l, cross, false, true, false);
                return torch.linalg_solve_triangular(l.t(), y, true, true, false);
            } catch (RuntimeException e) {
                if (attempt == 9) throw new IllegalStateException("refit: the Gram matrix of the kept groups is not positive definite even with ridge " + lambda, e);
                lambda *= 10;
            }
        }
    }

    /**
     * The energies of every group's share of the weights {@code weight} ([out, N taps] row-major), from the groups'
     * own Gram blocks (centred here when {@code centred}): sum_o w_g,o^T Gamma_gg w_g,o per group g.
     */
    public static double[] energies(ScoreOracle.GroupGrams g, double[] weight, int out, boolean centred) {
        int taps = g.taps(), n = g.featureSums().length / taps, f = n * taps;
        double rows = Math.max(1, g.rows());
        double[] e = new double[n];
        for (int grp = 0; grp < n; grp++) {
            double sum = 0;
            for (int a = 0; a < taps; a++) {
                for (int b = 0; b < taps; b++) {
                    int fa = grp * taps + a, fb = grp * taps + b;
                    double gab = g.blocks()[(grp * taps + a) * taps + b];
                    if (centred) gab -= g.featureSums()[fa] * g.featureSums()[fb] / rows;
                    if (gab == 0) continue;
                    double dot = 0;
                    for (int o = 0; o < out; o++) dot += weight[o * f + fa] * weight[o * f + fb];
                    sum += gab * dot;
                }
            }
            e[grp] = sum;
        }
        return e;
    }
}
