package io.ispasp.baseline;


import io.ispasp.prune.GroupSelector;
import io.ispasp.prune.Selection;
import io.ispasp.prune.TopK;
import io.ispasp.prune.UnitContext;

/**
 * Magnitude pruning: keeps the s groups whose incoming filter (the group's row of layer {@code unit}'s weight,
 * i.e. A's filter) has the largest L1 norm. Ties go to the lower index. Uses no data.
 */
public final class MagnitudeSelector implements GroupSelector {

    /** Ranks the unit's groups by the L1 norm of their rows in A's weight and keeps the top s. */
    @Override
    public Selection select(UnitContext ctx) {
        long start = System.nanoTime();
        double[] norms = rowL1Norms(ctx.model().weightArray(ctx.unit()), ctx.groups());
        int[] kept = largest(norms, ctx.keep());
        return Selection.of(kept, (System.nanoTime() - start) / 1e9);
    }

    /** L1 norm of each row of a row-major [rows, cols] matrix, summed in double. */
    static double[] rowL1Norms(float[] weight, int rows) {
        int cols = weight.length / rows;
        double[] norms = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.abs(weight[r * cols + c]);
            norms[r] = sum;
        }
        return norms;
    }

    /**
     * Indices of the {@code s} largest scores, sorted increasingly; equal scores prefer the lower index.
     * Shared by the ranking baselines (magnitude, activation mass).
     */
    static int[] largest(double[] score, int s) {
        if (s < 1 || s > score.length) throw new IllegalArgumentException("cannot keep " + s + " of " + score.length);
        return TopK.indices(score, s); // the engine's one tie rule: larger first, then lower index
    }
}
