package io.ispasp.prune;

import io.ispasp.engine.Cancellation;
import java.util.ArrayList;
import java.util.List;

import io.ispasp.core.PruneOptions;
import io.ispasp.core.PruneReport.UnitReport;
import io.ispasp.data.Dataset;
import io.ispasp.model.Mlp;
import org.bytedeco.javacpp.PointerScope;

/**
 * Prunes every hidden layer of an MLP, from input to output: each unit's input is the already pruned prefix's
 * output, and its target is the still-dense unit on that input (or the original network's, see Target). After
 * each unit, surgery makes the model physically smaller before the next unit is seen.
 */
public final class MlpPruner {
    private MlpPruner() {}

    /** The pruned model and one report per unit. */
    public record Outcome(Mlp model, List<UnitReport> units) {}

    public static Outcome prune(Mlp dense, Dataset calibration, PruneOptions options, GroupSelector selector,
                                PruneListener listener) {
        PruneListener l = listener == null ? PruneListener.NONE : listener;
        Mlp current = dense;
        List<UnitReport> reports = new ArrayList<>();
        try {
            for (int unit = 0; unit < dense.hiddenLayers(); unit++) {
                Cancellation.checkpoint();
                UnitContext ctx = new UnitContext(current, dense, unit, calibration, options);
                l.message(String.format("pruning %s: %d -> %d groups", ctx.name(), ctx.groups(), ctx.keep()));
                Selection sel;
                try (PointerScope scope = new PointerScope()) {
                    sel = selector.select(ctx);
                    if (sel.kept().length != ctx.keep()) {
                        throw new IllegalStateException(ctx.name() + ": selector kept " + sel.kept().length + " groups, expected " + ctx.keep());
                    }
                    if (sel.residual().length == 0) sel = sel.withResidual(new double[] {UnitResidual.of(ctx, sel)});
                }
                reports.add(new UnitReport(ctx.name(), ctx.groups(), sel.kept().length, sel.kept(), sel.path(), sel.pathReason(),
                        sel.residual(), sel.iterationsRun(), sel.residualRefit(), sel.dataSeconds(), sel.iterationSeconds()));
                Mlp before = current;
                current = current.prune(unit, sel.kept(), sel.nextWeight(), sel.columnScale());
                l.unitDone(unit, reports.get(reports.size() - 1), before, current);
                if (before != dense) before.close(); // an intermediate model: nobody else holds it
            }
            return new Outcome(current, reports);
        } catch (RuntimeException e) {
            if (current != dense) current.close(); // cancelled or failed: the half-pruned model is nobody's
            throw e;
        }
    }
}
