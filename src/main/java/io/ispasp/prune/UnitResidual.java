package io.ispasp.prune;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * ||R||^2 of a finished selection on the calibration data, computed explicitly: R = Z - B_lin'(H_S) where B' has
 * B's kept columns times the selection's column scale, or its refit weight. Used to report a residual for methods
 * without an iteration trace, so all methods compare on the same quantity.
 */
public final class UnitResidual {
    private UnitResidual() {}

    public static double of(UnitData unit, Selection sel) {
        int rows = unit.calibration().size(), batch = unit.options().batchSize();
        double total = 0;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor wS = unit.bWeight().index_select(1, Tensors.indices(sel.kept())).mul(new Scalar(sel.columnScale()));
            if (sel.nextWeight() != null) {
                wS = Tensors.of(sel.nextWeight(), unit.outputs(), sel.kept().length).reshape(wS.shape());
            }
            wS = wS.contiguous();
            for (int from = 0; from < rows; from += batch) {
                int to = Math.min(rows, from + batch);
                try (PointerScope inner = new PointerScope()) {
                    Tensor h = unit.hidden(unit.input(from, to));
                    Tensor r = unit.target(from, to, h).sub(unit.bLinear(h, sel.kept(), wS));
                    total += Tensors.squaredNorm(r);
                }
            }
        }
        return total;
    }
}
