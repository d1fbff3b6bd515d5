package io.ispasp.prune;

import java.util.Arrays;

/**
 * What a {@link Selector} decided for one unit.
 *
 * @param kept              kept group indices, strictly increasing
 * @param columnScale       factor applied to B's kept input columns (1; GFS uses N/s)
 * @param nextWeight        replacement for B's kept columns ([out, kept x taps] row-major, BN scale folded in), or
 *                          null (no refit)
 * @param shift             what to add to B's output (its bias, or the BN shift after it), [out], or null
 * @param path              how scores were computed ("direct", "statistics", or "-" for methods without a path)
 * @param pathReason        why that path was taken (cost-model numbers), or ""
 * @param residual          ||R||^2 on the calibration data after each iteration, B's kept columns as they are (may
 *                          be empty)
 * @param iterationsRun     iterations actually executed (the loop stops at a fixed point)
 * @param residualKept      ||R||^2 of the returned support with B's kept columns as they are (times columnScale), or
 *                          NaN when the selector did not compute it
 * @param residualAfter     ||R||^2 after the refit and/or the shift, or null with neither
 * @param targetSquaredNorm ||target||^2 on the calibration data (the residual of keeping nothing), or NaN
 * @param dataSeconds       time spent passing over the calibration data
 * @param iterationSeconds  time spent in the selection iterations
 * @param refitSeconds      time spent refitting B and measuring the target (0 without)
 */
public record Selection(int[] kept, float columnScale, float[] nextWeight, float[] shift, String path, String pathReason,
                        double[] residual, int iterationsRun, double residualKept, Double residualAfter,
                        double targetSquaredNorm, double dataSeconds, double iterationSeconds,
                        double refitSeconds) {

    public Selection {
        kept = kept.clone();
        Arrays.sort(kept);
        for (int i = 1; i < kept.length; i++) {
            if (kept[i] == kept[i - 1]) throw new IllegalArgumentException("duplicate kept index " + kept[i]);
        }
    }

    /** A plain selection (no path, no trace, no refit). */
    public static Selection of(int[] kept, double seconds) {
        return new Selection(kept, 1f, null, null, "-", "", new double[0], 0, Double.NaN, null, Double.NaN, 0, seconds, 0);
    }

    /** This selection with the residual of its support and the target's squared norm measured. */
    public Selection withResiduals(double kept, double target) {
        double[] trace = residual.length == 0 ? new double[] {kept} : residual;
        return new Selection(this.kept, columnScale, nextWeight, shift, path, pathReason, trace, iterationsRun, kept, residualAfter,
                target, dataSeconds, iterationSeconds, refitSeconds);
    }
}
