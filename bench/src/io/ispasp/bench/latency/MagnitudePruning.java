package io.ispasp.bench.latency;

import io.ispasp.nn.Network;
import io.ispasp.nn.Surgery;
import io.ispasp.prune.Layout;
import io.ispasp.prune.TopK;

/**
 * Prunes a network of any family by a layout without data: each unit keeps the groups whose A filters have the
 * largest L1 norm (the magnitude baseline's choice, {@link io.ispasp.baseline.Baselines#magnitude()}, which needs no
 * calibration samples but reaches the selectors only through the pruner, which wants them). Deterministic, so a
 * benchmark gets the same pruned shape and weights every time.
 */
public final class MagnitudePruning {
    private MagnitudePruning() {}

    /** A new network (the caller closes it); {@code dense} is not modified. */
    public static Network prune(Network dense, Layout layout) {
        layout.check(dense);
        Network current = dense;
        try {
            for (int u : layout.prunedUnits()) {
                int[] kept = TopK.indices(current.unit(u).filterNorms(), layout.keep(u, current.unit(u).groups()));
                Network next = Surgery.keep(current, u, kept);
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
