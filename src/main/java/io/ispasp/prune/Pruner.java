package io.ispasp.prune;

import java.util.ArrayList;
import java.util.List;

import io.ispasp.core.PruneOptions;
import io.ispasp.core.PruneReport.UnitReport;
import io.ispasp.engine.Cancellation;
import io.ispasp.engine.Tensors;
import io.ispasp.nn.Network;
import io.ispasp.nn.Surgery;
import io.ispasp.nn.Unit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The one pruning loop, for every family: prunes the units a {@link Layout} names, from input to output. Each unit
 * sees the current, already pruned (and, with a hook, fine-tuned) prefix; after each unit, surgery makes the network
 * physically smaller. The dense network passed in is never modified; the result is a new network the caller owns.
 */
public final class Pruner {
    private Pruner() {}

    /** Called after each pruned unit with the new network (e.g. to fine-tune it in place, the authors' option). */
    @FunctionalInterface
    public interface AfterUnit {
        void done(int unit, UnitReport report, Network pruned);

        AfterUnit NONE = (ReadOnly) (u, r, n) -> {};
    }

    /** An {@link AfterUnit} that only reads the network (progress, logging), so inputs carried to the next unit stay valid. */
    @FunctionalInterface
    public interface ReadOnly extends AfterUnit {}

    /**
     * The pruned network, one report per pruned unit, and the peak bytes of carried activations held in memory and
     * in spill files at once.
     */
    public record Outcome(Network model, List<UnitReport> units, long carriedPeak, long spilledPeak) {}

    public static Outcome prune(Network dense, Layout layout, Calibration calibration, PruneOptions options,
                                Selector selector, AfterUnit after) {
        if (calibration.size() < 1) throw new IllegalArgumentException("no calibration samples");
        layout.check(dense);
        // Surgery never modifies its input, so the dense network serves as the first "current" one without a copy;
        // every later one is a new network owned (and closed) here.
        Network current = dense;
        List<UnitReport> reports = new ArrayList<>();
        CarriedInputs carried = null;
        CarryBudget budget = CarryBudget.of(options);
        try {
            int[] pruned = layout.prunedUnits();
            for (int i = 0; i < pruned.length; i++) {
                int u = pruned[i];
                Cancellation.checkpoint();
                Unit unit = current.unit(u);
                long t0 = System.nanoTime();
                // a hook that may change the network (block fine-tuning) changes the layers before the next unit
                carried = CarriedInputs.at(carried, after instanceof ReadOnly, dense, current, u, i + 1 < pruned.length ? pruned[i + 1] : -1,
                        calibration, options.batchSize(), options.target() == io.ispasp.core.Target.ORIGINAL, budget);
                UnitData data = new UnitData(current, dense, u, layout.keep(u, unit.groups()), calibration, options, carried);
                double inputSeconds = (System.nanoTime() - t0) / 1e9;
                Selection sel;
                Network next;
                long t1;
                try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                    sel = selector.select(data);
                    t1 = System.nanoTime();
                    if (sel.kept().length != data.keep()) {
                        throw new IllegalStateException(data.name() + ": selector kept " + sel.kept().length + " groups, expected " + data.keep());
                    }
                    if (Double.isNaN(sel.residualKept())) {
                        UnitResidual.Result r = UnitResidual.of(data, sel);
                        sel = sel.withResiduals(r.residual(), r.targetSquaredNorm());
                    }
                    next = Surgery.keep(current, u, sel.kept(), sel.columnScale(), rawWeight(data, sel),
                            sel.shift() == null ? null : Tensors.of(sel.shift(), sel.shift().length));
                }
                UnitReport report = UnitReport.of(data.name(), unit.hidden(), data.groups(), sel.kept(), sel.path(),
                        sel.pathReason(), sel.residual(), sel.iterationsRun(), sel.residualKept(), sel.residualAfter(),
                        sel.targetSquaredNorm(), new UnitReport.Time(inputSeconds, sel.dataSeconds(), sel.iterationSeconds(),
                                sel.refitSeconds(), (System.nanoTime() - t1) / 1e9));
                reports.add(report);
                if (current != dense) current.close();
                current = next;
                after.done(u, report, current);
            }
            return new Outcome(current == dense ? dense.copy() : current, reports, budget.peakMemory(), budget.peakDisk());
        } catch (RuntimeException e) {
            if (current != dense) current.close();
            throw e;
        } finally {
            if (carried != null) carried.close();
        }
    }

    /** A refit's weight ([out, s taps] of B's linear part, BN scale folded in) as B's own weight, or null. */
    static Tensor rawWeight(UnitData unit, Selection sel) {
        if (sel.nextWeight() == null) return null;
        int out = unit.outputs(), s = sel.kept().length, k = unit.unit().kernel();
        Tensor w = unit.unit().dividedByKappa(Tensors.of(sel.nextWeight(), out, (long) s * unit.taps()));
        return unit.convolutional() ? w.reshape(out, s, k, k) : w;
    }
}
