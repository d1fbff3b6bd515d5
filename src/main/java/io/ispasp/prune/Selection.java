package io.ispasp.prune;

import java.util.Arrays;

/**
 * What a {@link GroupSelector} decided for one unit.
 *
 * @param kept           kept group indices, strictly increasing
 * @param columnScale    factor applied to B's kept input columns (1; GFS uses N/s)
 * @param nextWeight     replacement for B's kept columns ([out, kept] row-major), or null (no refit)
 * @param path           how scores were computed ("direct", "statistics", or "-" for methods without a path)
 * @param pathReason     why that path was taken (cost-model numbers), or ""
 * @param residual       ||R||^2 on the calibration data after each iteration (may be empty)
 * @param iterationsRun  iterations actually executed (the loop stops at a fixed point)
 * @param residualRefit  ||R||^2 after the refit, or null without refit
 * @param dataSeconds    time spent passing over the calibration data
 * @param iterationSeconds time spent in the selection iterations
 */
public record Selection(int[] kept, float columnScale, float[] nextWeight, String path, String pathReason,
                        double[] residual, int iterationsRun, Double residualRefit,
                        double dataSeconds, double iterationSeconds) {

    public Selection {
        kept = kept.clone();
        Arrays.sort(kept);
        for (int i = 1; i < kept.length; i++) {
            if (kept[i] == kept[i - 1]) throw new IllegalArgumentException("duplicate kept index " + kept[i]);
        }
    }

    /** A plain selection (no path, no trace, no refit). */
    public static Selection of(int[] kept, double seconds) {
        return new Selection(kept, 1f, null, "-", "", new double[0], 0, null, 0, seconds);
    }

    public Selection withResidual(double[] trace) {
        return new Selection(kept, columnScale, nextWeight, path, pathReason, trace, iterationsRun, residualRefit, dataSeconds, iterationSeconds);
    }
}
