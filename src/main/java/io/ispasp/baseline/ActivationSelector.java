package io.ispasp.baseline;

import io.ispasp.engine.Tensors;
import io.ispasp.prune.GroupSelector;
import io.ispasp.prune.Selection;
import io.ispasp.prune.UnitContext;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Activation-mass pruning: keeps the s groups with the largest a[c] = sum over the calibration rows of H[row, c]
 * (H = ReLU of layer {@code unit}, so every term is non-negative). Ties go to the lower index.
 */
public final class ActivationSelector implements GroupSelector {

    /** Computes the activation mass in one pass over the calibration data and keeps the top s. */
    @Override
    public Selection select(UnitContext ctx) {
        long start = System.nanoTime();
        double[] mass = activationMass(ctx);
        long ranked = System.nanoTime();
        int[] kept = MagnitudeSelector.largest(mass, ctx.keep());
        double dataSeconds = (ranked - start) / 1e9;
        double rankSeconds = (System.nanoTime() - ranked) / 1e9;
        return new Selection(kept, 1f, null, "-", "", new double[0], 0, null, dataSeconds, rankSeconds);
    }

    /**
     * a[c] = sum over all calibration rows of H[row, c], for the unit's N groups. Streams the calibration data in
     * batches of {@code options().batchSize()} rows and accumulates in double (each batch's column sums are
     * taken in double as well, so no float32 summation error builds up).
     */
    public static double[] activationMass(UnitContext ctx) {
        int rows = ctx.calibration().size();
        int batch = ctx.options().batchSize();
        double[] mass = new double[ctx.groups()];
        try (NoGradGuard g = new NoGradGuard()) {
            for (int from = 0; from < rows; from += batch) {
                int to = Math.min(rows, from + batch);
                // Free this batch's native tensors before the next one: GC pressure does not see native memory.
                try (PointerScope scope = new PointerScope()) {
                    Tensor h = ctx.hidden(ctx.input(from, to));
                    Tensors.accumulate(mass, Tensors.columnSums(h));
                }
            }
        }
        return mass;
    }
}
