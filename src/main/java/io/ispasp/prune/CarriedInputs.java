package io.ispasp.prune;

import java.util.Arrays;

import io.ispasp.nn.Network;
import io.ispasp.nn.Unit;
import io.ispasp.nn.UnitSpec;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The input X of the unit being pruned, for every calibration sample, carried from unit to unit: after a unit is cut,
 * the next unit's X is the now-pruned layers between the two units applied to this one's X, so the whole network
 * costs one forward pass instead of one prefix per unit. With the original target it carries the dense network's X at
 * the same point too. Batches follow {@code batch}, the batches of the recompute path, so the values are the same
 * bit for bit. The tensors live in memory or, beyond the memory bound, in spill files ({@link CarryBudget}); they are
 * released by {@link #close}.
 * <p>The dense network's X moves on early: the original target is the dense B's output at this unit, and the pass that
 * computes it ({@link #originalBLinear}) goes on to the next carried unit's X and stores it, so the dense layers
 * between two units run once, not once for the target and once more to carry X ({@link Unit#passTo}).
 */
final class CarriedInputs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CarriedInputs.class);
    private final Network dense;
    private final Calibration calibration;
    private final int batch;
    private final CarryBudget budget;
    private UnitSpec at;
    private int atIndex;
    private ActivationStore current;   // X of the current network at unit `at`
    private ActivationStore original;  // X of the dense network there; null without the original target, == current while equal
    private int aheadIndex = -1;       // the next carried unit, whose dense X the target pass stores; -1: none
    private ActivationStore ahead;     // the dense network's X there, batch by batch as the target pass reaches them
    private boolean[] aheadStored;

    private CarriedInputs(Network dense, Calibration calibration, int batch, CarryBudget budget) {
        this.dense = dense;
        this.calibration = calibration;
        this.batch = batch;
        this.budget = budget;
    }

    /**
     * X at {@code unit} of {@code current}, from the samples; with {@code withOriginal} also the dense network's X
     * there (the same tensor while no unit was cut).
     */
    static CarriedInputs start(Network dense, Network current, int unit, Calibration calibration, int batch, boolean withOriginal,
                               CarryBudget budget) {
        CarriedInputs c = new CarriedInputs(dense, calibration, batch, budget);
        try {
            Unit u = current.unit(unit), d = dense.unit(unit);
            c.at = u.spec();
            c.atIndex = unit;
            c.current = c.batched(shape(current, unit, calibration), (from, to) -> u.input(calibration.inputs(from, to)));
            if (withOriginal) {
                c.original = current == dense ? c.current
                        : c.batched(shape(dense, unit, calibration), (from, to) -> d.input(calibration.inputs(from, to)));
            }
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * The carried inputs at unit {@code u} of {@code current}: {@code carried} advanced to it, or (first unit, after a
     * unit not carried, or when the old and the new inputs would not fit in memory together and nothing may spill)
     * computed from the samples; none (null, {@code carried} closed) when not {@code allowed}, when they do not fit
     * and nothing may spill, or when spilling failed (then spilling stays off for the rest of the prune). With the
     * original target and {@code next} (the next carried unit, -1 for none), the dense X there is stored as the
     * target pass computes it, where it fits.
     */
    static CarriedInputs at(CarriedInputs carried, boolean allowed, Network dense, Network current, int u, int next,
                            Calibration calibration, int batch, boolean withOriginal, CarryBudget budget) {
        CarriedInputs c = moveTo(carried, allowed, dense, current, u, calibration, batch, withOriginal, budget);
        if (c != null && next >= 0 && c.original != null && current != dense) c.expect(next);
        return c;
    }

    private static CarriedInputs moveTo(CarriedInputs carried, boolean allowed, Network dense, Network current, int u,
                                        Calibration calibration, int batch, boolean withOriginal, CarryBudget budget) {
        long need = bytes(dense, current, u, calibration, withOriginal);
        // the dense X stored ahead for this unit is part of `need` and already held
        long held = budget.inMemory() - (carried != null && carried.aheadIndex == u && carried.ahead instanceof ActivationStore.InMemory
                ? carried.ahead.bytes() : 0);
        if (carried != null && (!allowed || !budget.admits(need, held))) {
            carried.close();
            carried = null;
        }
        if (!allowed || !budget.admits(need, 0)) return null;
        try {
            if (carried == null) return start(dense, current, u, calibration, batch, withOriginal, budget);
            carried.advance(current, u);
            return carried;
        } catch (ActivationStore.SpillFailure e) {
            LOG.warn("{}: cannot spill carried inputs ({}); recomputing every later unit's inputs from the samples",
                    current.unit(u).name(), e.getCause().getMessage());
            if (carried != null) carried.close();
            budget.spillFailed();
            return budget.admits(need, 0) ? start(dense, current, u, calibration, batch, withOriginal, budget) : null;
        }
    }

    /**
     * Bytes the carried inputs of one unit take: X per sample times samples, with the original target also the dense
     * network's X (wider where an earlier cut narrowed this unit's input).
     */
    static long bytes(Network dense, Network net, int unit, Calibration calibration, boolean withOriginal) {
        long mine = ActivationStore.bytes(shape(net, unit, calibration));
        return mine + (withOriginal ? ActivationStore.bytes(shape(dense, unit, calibration)) : 0);
    }

    /** Whether X is carried at {@code spec}. */
    boolean at(UnitSpec spec) { return at.name().equals(spec.name()); }

    /** X of the current network for samples {@code [from, to)}. */
    Tensor input(int from, int to) { return current.rows(from, to); }

    /** X of the current network for the given samples. */
    Tensor input(int[] rows) { return current.rows(rows); }

    /**
     * The dense network's B_lin (no shift) at this unit for samples {@code [from, to)}, from its carried X; null
     * without the original target. A whole batch not stored yet also stores the dense X at the next unit.
     */
    Tensor originalBLinear(int from, int to) {
        if (original == null) return null;
        Unit d = dense.unit(atIndex);
        Tensor x = original.rows(from, to);
        int b = from / batch;
        boolean whole = from % batch == 0 && to == Math.min(calibration.size(), from + batch);
        if (ahead == null || !whole || aheadStored[b]) return d.bLinear(d.hidden(x));
        Unit.Pass pass = d.passTo(dense.unit(aheadIndex).spec(), x);
        try {
            checkShape(pass.later(), to - from, ahead.shape());
            ahead.put(from, pass.later());
            aheadStored[b] = true;
        } catch (ActivationStore.SpillFailure e) {
            LOG.warn("{}: cannot spill the dense inputs of the next unit ({}); computing them when moving there", at.name(),
                    e.getCause().getMessage());
            dropAhead();
            budget.spillFailed();
        }
        return pass.bLinear();
    }

    /** Whether the dense X at unit {@code unit} is stored ahead, every batch. */
    boolean storedAhead(int unit) {
        if (ahead == null || aheadIndex != unit) return false;
        for (boolean s : aheadStored) if (!s) return false;
        return true;
    }

    /** Makes the target pass store the dense X at unit {@code next}, where it fits beside what is held. */
    private void expect(int next) {
        if (!dense.unit(atIndex).canPassTo(dense.unit(next).spec())) return;
        long[] shape = shape(dense, next, calibration);
        if (!budget.admits(ActivationStore.bytes(shape), budget.inMemory())) return;
        try {
            ahead = budget.store(shape);
        } catch (ActivationStore.SpillFailure e) {
            LOG.warn("{}: cannot spill the dense inputs of the next unit ({}); computing them when moving there", at.name(),
                    e.getCause().getMessage());
            budget.spillFailed();
            return;
        }
        aheadIndex = next;
        aheadStored = new boolean[(int) ((shape[0] + batch - 1) / batch)];
    }

    private void dropAhead() {
        if (ahead != null) release(ahead);
        ahead = null;
        aheadIndex = -1;
        aheadStored = null;
    }

    /**
     * Moves to unit {@code unit} of {@code next}, the network after the last cut (ops before the current unit's start
     * unchanged): X through the layers in between, for the current and the dense network.
     */
    void advance(Network next, int unit) {
        Unit to = next.unit(unit);
        UnitSpec from = at;
        ActivationStore cur = current, orig = original;
        ActivationStore nextCurrent = batched(shape(next, unit, calibration), (a, b) -> to.inputFrom(from, cur.rows(a, b)));
        ActivationStore nextOriginal = null;
        if (orig != null) {
            Unit dt = dense.unit(unit);
            try {
                if (ahead != null && aheadIndex == unit) {   // what the target pass left out (a pass that stopped early)
                    fill(ahead, aheadStored, (a, b) -> dt.inputFrom(from, orig.rows(a, b)));
                    nextOriginal = ahead;
                    ahead = null;
                } else {
                    nextOriginal = batched(shape(dense, unit, calibration), (a, b) -> dt.inputFrom(from, orig.rows(a, b)));
                }
            } catch (RuntimeException e) {
                release(nextCurrent);
                throw e;
            }
        }
        close();
        current = nextCurrent;
        original = nextOriginal;
        at = to.spec();
        atIndex = unit;
    }

    private interface Slice {
        Tensor of(int from, int to);
    }

    /** [samples, ...X's shape per sample] at {@code unit}. */
    private static long[] shape(Network net, int unit, Calibration calibration) {
        long[] perSample = net.unit(unit).inputShape(calibration.sampleShape());
        long[] shape = new long[perSample.length + 1];
        shape[0] = calibration.size();
        System.arraycopy(perSample, 0, shape, 1, perSample.length);
        return shape;
    }

    /** The batches {@code [from, from + batch)} of {@code slice}, stored as they come. */
    private ActivationStore batched(long[] shape, Slice slice) {
        ActivationStore store = budget.store(shape);
        try {
            fill(store, new boolean[(int) ((shape[0] + batch - 1) / batch)], slice);
            return store;
        } catch (RuntimeException e) {
            release(store);
            throw e;
        }
    }

    /** The batches of {@code slice} not {@code stored} yet into {@code store}. */
    private void fill(ActivationStore store, boolean[] stored, Slice slice) {
        long[] shape = store.shape();
        try (NoGradGuard g = new NoGradGuard()) {
            for (int from = 0; from < shape[0]; from += batch) {
                if (stored[from / batch]) continue;
                int to = (int) Math.min(shape[0], from + batch);
                try (PointerScope scope = new PointerScope()) {
                    Tensor part = slice.of(from, to);
                    checkShape(part, to - from, shape);
                    store.put(from, part);
                }
            }
        }
    }

    private static void checkShape(Tensor part, int samples, long[] shape) {
        long[] got = part.shape();
        if (got[0] != samples || !Arrays.equals(Arrays.copyOfRange(got, 1, got.length), Arrays.copyOfRange(shape, 1, shape.length))) {
            throw new IllegalStateException("carried input of shape " + Arrays.toString(got) + ", expected "
                    + samples + " x " + Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)));
        }
    }

    private void release(ActivationStore store) {
        store.close();
        budget.released(store);
    }

    @Override
    public void close() {
        dropAhead();
        if (original != null && original != current) release(original);
        if (current != null) release(current);
        current = null;
        original = null;
    }
}
