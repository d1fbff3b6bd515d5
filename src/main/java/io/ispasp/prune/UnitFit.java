package io.ispasp.prune;

import java.util.Arrays;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * What a unit's B becomes for a support S once i-SpaSP has chosen it: with the refit, ridge least squares of the
 * target on S's features ({@link Refit}, with an intercept when the shift is on); with the shift alone (bias
 * compensation), B's kept columns as they are and the mean residual added to B's output, delta = (sum_p z_p - W_S
 * sum_p u_p) / n, which lowers ||R||^2 by n ||delta||^2 and leaves the unit's mean output on the calibration data
 * unchanged. The last fit is remembered, so asking again for the same support costs nothing. Also the least-squares
 * cut of i-SpaSP's merged candidates, which fits them the same way (with an intercept when the shift is on).
 */
final class UnitFit {
    /**
     * @param weight   B's new kept columns [out, s taps] (BN scale folded in), or null
     * @param shift    added to B's output [out], or null
     * @param residual ||R||^2 after the fit
     */
    record Fit(float[] weight, float[] shift, double residual) {}

    private final UnitData unit;
    private final ScoreOracle oracle;
    private final boolean refit;
    private final boolean shift;
    private int[] lastSupport;
    private Fit last;

    UnitFit(UnitData unit, ScoreOracle oracle, boolean refit, boolean shift) {
        this.unit = unit;
        this.oracle = oracle;
        this.refit = refit;
        this.shift = shift;
    }

    /** Whether the fit changes anything (else the residual of a support is its plain residual). */
    boolean active() { return refit || shift; }

    /** The fit of {@code support}, whose plain residual (B's columns as they are) is {@code plainResidual}. */
    Fit fit(int[] support, double plainResidual) {
        if (!active()) return new Fit(null, null, plainResidual);
        if (last != null && Arrays.equals(lastSupport, support)) return last;
        ScoreOracle.KeptStatistics k = oracle.kept(support);
        Fit f;
        if (refit) {
            Refit.Result r = Refit.solve(k, unit.options().refitLambda(), shift, unit.taps());
            f = new Fit(r.weight(), r.intercept(), r.residual());
        } else {
            f = meanShift(k, support, plainResidual);
        }
        lastSupport = support.clone();
        last = f;
        return f;
    }

    /**
     * CoSaMP's thresholding: the ridge fit of the target on every group of {@code merged}, then the {@code keep} groups
     * whose share of that fit has the most energy.
     */
    int[] leastSquaresCut(int[] merged, int keep) {
        if (merged.length <= keep) return merged;
        if (merged.length == oracle.groups() && unit.targetIsCurrent()) {
            // The least-squares fit of z = W u on every feature is W itself (exactly, without the ridge), so no solve:
            // the energies come from W and each group's own Gram block. This is every cut once 2s >= N.
            double[] w;
            try (PointerScope scope = new PointerScope()) {
                w = Tensors.doubles(unit.bWeight().reshape(unit.outputs(), -1));
            }
            return TopK.indices(Refit.energies(oracle.groupGrams(), w, unit.outputs(), shift), keep);
        }
        Refit.Result r = Refit.solve(oracle.kept(merged), unit.options().refitLambda(), shift, unit.taps());
        double[] key = new double[oracle.groups()];
        Arrays.fill(key, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < merged.length; i++) key[merged[i]] = r.energy()[i];
        return TopK.among(key, merged, keep);
    }

    private Fit meanShift(ScoreOracle.KeptStatistics k, int[] support, double plainResidual) {
        int out = k.outputs(), f = k.size();
        double[] w;
        try (PointerScope scope = new PointerScope()) {
            Tensor wS = unit.bWeight().index_select(1, unit.hiddenIndices(support)).reshape(out, f);
            w = Tensors.doubles(wS);
        }
        float[] delta = new float[out];
        double n = Math.max(1, k.rows()), gain = 0;
        for (int o = 0; o < out; o++) {
            double sum = k.targetSums()[o];
            for (int i = 0; i < f; i++) sum -= w[o * f + i] * k.featureSums()[i];
            double d = sum / n;
            delta[o] = (float) d;
            gain += n * d * d;
        }
        return new Fit(null, delta, Math.max(0, plainResidual - gain));
    }
}
