package io.ispasp.prune;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * ||R||^2 of a finished selection on the calibration data, computed explicitly: R = Z - H_S W'^T where W' is B's
 * kept columns times the selection's column scale, or its refit weight. Used to report a residual for methods
 * without an iteration trace, so all methods compare on the same quantity.
 */
public final class UnitResidual {
    private UnitResidual() {}

    public static double of(UnitContext ctx, Selection sel) {
        int rows = ctx.calibration().size(), batch = ctx.options().batchSize();
        double total = 0;
        try (PointerScope scope = new PointerScope()) {
            Tensor idx = Tensors.indices(sel.kept());
            Tensor wS = sel.nextWeight() != null
                    ? Tensors.of(sel.nextWeight(), ctx.outputs(), sel.kept().length)
                    : ctx.bWeight().index_select(1, idx).mul(new org.bytedeco.pytorch.Scalar(sel.columnScale()));
            for (int from = 0; from < rows; from += batch) {
                int to = Math.min(rows, from + batch);
                try (PointerScope inner = new PointerScope()) {
                    Tensor h = ctx.hidden(ctx.input(from, to));
                    Tensor r = ctx.targetMinusBias(from, to, h).sub(h.index_select(1, idx).mm(wS.t()));
                    total += Tensors.squaredNorm(r);
                }
            }
        }
        return total;
    }
}
