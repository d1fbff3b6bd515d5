package io.ispasp.bench.latency;

import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.Layout;
import io.ispasp.model.conv.Surgery;
import io.ispasp.prune.TopK;

/**
 * Prunes a conv net by a layout without data: each unit keeps the groups whose A filters have the largest L1 norm
 * (the magnitude baseline's choice, {@link io.ispasp.baseline.ConvBaselines#magnitude()}, which needs no
 * calibration images but reaches the selectors only through the pruner, which wants them). Deterministic, so a
 * benchmark gets the same pruned shape and weights every time.
 */
public final class MagnitudePruning {
    private MagnitudePruning() {}

    /** A new net (the caller closes it); {@code dense} is not modified. */
    public static ConvNet prune(ConvNet dense, Layout layout) {
        ConvNet current = dense;
        try {
            for (int u : layout.prunedUnits()) {
                int[] kept = TopK.indices(current.filterNorms(u), layout.keep(current.spec(), u));
                ConvNet next = Surgery.keep(current, u, kept);
                if (current != dense) current.close();
                current = next;
            }
        } catch (RuntimeException e) {
            if (current != dense) current.close();
            throw e;
        }
        return current == dense ? dense.copy() : current;
    }
}
