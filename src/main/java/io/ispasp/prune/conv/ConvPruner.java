package io.ispasp.prune.conv;

import io.ispasp.engine.Cancellation;
import java.util.ArrayList;
import java.util.List;

import io.ispasp.core.PruneOptions;
import io.ispasp.core.PruneReport.UnitReport;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.Layout;
import io.ispasp.model.conv.Surgery;
import io.ispasp.prune.Selection;
import org.bytedeco.javacpp.PointerScope;

/**
 * Prunes the units a {@link Layout} names, from input to output (SPEC section 4): each unit sees the current,
 * already pruned (and, with a hook, fine-tuned) prefix; after each unit, surgery makes the net physically smaller.
 * The dense net passed in is never modified.
 */
public final class ConvPruner {
    private ConvPruner() {}

    /** Called after each pruned unit with the new net (e.g. to fine-tune it in place, the authors' per-block option). */
    @FunctionalInterface
    public interface AfterUnit {
        void done(int unit, UnitReport report, ConvNet pruned);

        AfterUnit NONE = (u, r, n) -> {};
    }

    /** The pruned net (a new object the caller closes) and one report per pruned unit. */
    public record Outcome(ConvNet model, List<UnitReport> units) {}

    public static Outcome prune(ConvNet dense, Layout layout, Calibration calibration, PruneOptions options,
                                ConvSelector selector, AfterUnit after) {
        if (calibration.size() < 1) throw new IllegalArgumentException("no calibration images");
        // Surgery never modifies its input, so the dense net serves as the first "current" net without a copy;
        // every later one is a new net owned (and closed) here.
        ConvNet current = dense;
        List<UnitReport> reports = new ArrayList<>();
        try {
            for (int u : layout.prunedUnits()) {
                Cancellation.checkpoint();
                ConvUnit unit = new ConvUnit(current, u, layout.keep(current.spec(), u), calibration, options);
                Selection sel;
                try (PointerScope scope = new PointerScope()) {
                    sel = selector.select(unit);
                }
                if (sel.kept().length != unit.keep()) {
                    throw new IllegalStateException(unit.name() + ": selector kept " + sel.kept().length + " groups, expected " + unit.keep());
                }
                UnitReport report = new UnitReport(unit.name(), unit.groups(), sel.kept().length, sel.kept(), sel.path(),
                        sel.pathReason(), sel.residual(), sel.iterationsRun(), null, sel.dataSeconds(), sel.iterationSeconds());
                reports.add(report);
                ConvNet next = Surgery.keep(current, u, sel.kept(), sel.columnScale());
                if (current != dense) current.close();
                current = next;
                after.done(u, report, current);
            }
            return new Outcome(current == dense ? dense.copy() : current, reports); // the caller owns the result
        } catch (RuntimeException e) {
            if (current != dense) current.close();
            throw e;
        }
    }
}
