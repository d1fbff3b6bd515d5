package io.ispasp.prune;

import java.io.UncheckedIOException;
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
 */
final class CarriedInputs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CarriedInputs.class);
    private final Network dense;
    private final Calibration calibration;
    private final int batch;
    private final CarryBudget budget;
    private UnitSpec at;
    private ActivationStore current;   // X of the current network at unit `at`
    private ActivationStore original;  // X of the dense network there; null without the original target, == current while equal

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
     * and nothing may spill, or when spilling failed (then spilling stays off for the rest of the prune).
     */
    static CarriedInputs at(CarriedInputs carried, boolean allowed, Network dense, Network current, int u, Calibration calibration,
                            int batch, boolean withOriginal, CarryBudget budget) {
        long need = bytes(dense, current, u, calibration, withOriginal);
        if (carried != null && (!allowed || !budget.admits(need, budget.inMemory()))) {
            carried.close();
            carried = null;
        }
        if (!allowed || !budget.admits(need, 0)) return null;
        try {
            if (carried == null) return start(dense, current, u, calibration, batch, withOriginal, budget);
            carried.advance(current, u);
            return carried;
        } catch (UncheckedIOException e) {
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

    /** X of the dense network at the same unit, samples {@code [from, to)}; null without the original target. */
    Tensor originalInput(int from, int to) { return original == null ? null : original.rows(from, to); }

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
                nextOriginal = batched(shape(dense, unit, calibration), (a, b) -> dt.inputFrom(from, orig.rows(a, b)));
            } catch (RuntimeException e) {
                release(nextCurrent);
                throw e;
            }
        }
        close();
        current = nextCurrent;
        original = nextOriginal;
        at = to.spec();
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
        try (NoGradGuard g = new NoGradGuard()) {
            for (int from = 0; from < shape[0]; from += batch) {
                int to = (int) Math.min(shape[0], from + batch);
                try (PointerScope scope = new PointerScope()) {
                    Tensor part = slice.of(from, to);
                    long[] got = part.shape();
                    if (got[0] != to - from || !Arrays.equals(Arrays.copyOfRange(got, 1, got.length), Arrays.copyOfRange(shape, 1, shape.length))) {
                        throw new IllegalStateException("carried input of shape " + Arrays.toString(got) + ", expected "
                                + (to - from) + " x " + Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)));
                    }
                    store.put(from, part);
                }
            }
            return store;
        } catch (RuntimeException e) {
            release(store);
            throw e;
        }
    }

    private void release(ActivationStore store) {
        store.close();
        budget.released(store);
    }

    @Override
    public void close() {
        if (original != null && original != current) release(original);
        if (current != null) release(current);
        current = null;
        original = null;
    }
}
