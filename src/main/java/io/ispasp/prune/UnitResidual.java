package io.ispasp.prune;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * ||R||^2 of a finished selection on the calibration data, computed explicitly, R = Z - B_lin'(H_S) with B' B's
 * kept columns times the selection's column scale, and ||Z||^2 in the same pass. Used to report residuals for
 * methods without an iteration trace, so all methods compare on the same quantities.
 */
public final class UnitResidual {
    private UnitResidual() {}

    /** ||R||^2 of the selection's support and ||Z||^2. */
    public record Result(double residual, double targetSquaredNorm) {}

    public static Result of(UnitData unit, Selection sel) {
        int rows = unit.calibration().size(), batch = unit.options().batchSize();
        double total = 0, target = 0;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor wS = unit.bWeight().index_select(1, unit.hiddenIndices(sel.kept())).mul(new Scalar(sel.columnScale())).contiguous();
            for (int from = 0; from < rows; from += batch) {
                int to = Math.min(rows, from + batch);
                try (PointerScope inner = new PointerScope()) {
                    Tensor h = unit.hidden(unit.input(from, to));
                    Tensor z = unit.target(from, to, h);
                    total += Tensors.squaredNorm(z.sub(unit.bLinear(h, sel.kept(), wS)));
                    target += Tensors.squaredNorm(z);
                }
            }
        }
        return new Result(total, target);
    }
}
