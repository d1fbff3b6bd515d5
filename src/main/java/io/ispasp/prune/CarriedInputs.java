package io.ispasp.prune;

import io.ispasp.core.PruneOptions;
import io.ispasp.engine.Tensors;
import io.ispasp.nn.Network;
import io.ispasp.nn.Unit;
import io.ispasp.nn.UnitSpec;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The input X of the unit being pruned, for every calibration sample, carried from unit to unit: after a unit is cut,
 * the next unit's X is the now-pruned layers between the two units applied to this one's X, so the whole network
 * costs one forward pass instead of one prefix per unit. With the original target it carries the dense network's X at
 * the same point too. Batches follow {@code batch}, the batches of the recompute path, so the values are the same
 * bit for bit. Holds its tensors (retained) until {@link #close}.
 */
final class CarriedInputs implements AutoCloseable {
    private final Network dense;
    private final Calibration calibration;
    private final int batch;
    private UnitSpec at;
    private Tensor current;   // X of the current network at unit `at`
    private Tensor original;  // X of the dense network there; null without the original target, == current while equal

    private CarriedInputs(Network dense, Calibration calibration, int batch) {
        this.dense = dense;
        this.calibration = calibration;
        this.batch = batch;
    }

    /**
     * X at {@code unit} of {@code current}, from the samples; with {@code withOriginal} also the dense network's X
     * there (the same tensor while no unit was cut).
     */
    static CarriedInputs start(Network dense, Network current, int unit, Calibration calibration, int batch, boolean withOriginal) {
        CarriedInputs c = new CarriedInputs(dense, calibration, batch);
        Unit u = current.unit(unit), d = dense.unit(unit);
        c.at = u.spec();
        c.current = c.batched(calibration.size(), (from, to) -> u.input(calibration.inputs(from, to)));
        if (withOriginal) {
            c.original = current == dense ? c.current : c.batched(calibration.size(), (from, to) -> d.input(calibration.inputs(from, to)));
        }
        return c;
    }

    /**
     * The carried inputs at unit {@code u} of {@code current}: {@code carried} advanced to it, or (first unit, or after
     * a unit too big to carry) computed from the samples; none (null, {@code carried} closed) when not {@code allowed}
     * or when they would not fit in {@link PruneOptions#memory()}.
     */
    static CarriedInputs at(CarriedInputs carried, boolean allowed, Network dense, Network current, int u, Calibration calibration,
                            PruneOptions options, boolean withOriginal) {
        if (!allowed || bytes(current, u, calibration, withOriginal) > options.memory()) {
            if (carried != null) carried.close();
            return null;
        }
        if (carried == null) return start(dense, current, u, calibration, options.batchSize(), withOriginal);
        carried.advance(current, u);
        return carried;
    }

    /** Bytes the carried inputs of one unit take: X per sample times samples, twice with the original target. */
    static long bytes(Network net, int unit, Calibration calibration, boolean withOriginal) {
        long perSample = 1;
        for (long d : net.unit(unit).inputShape(calibration.sampleShape())) perSample *= d;
        return perSample * Float.BYTES * calibration.size() * (withOriginal ? 2 : 1);
    }

    /** Whether X is carried at {@code spec}. */
    boolean at(UnitSpec spec) { return at.name().equals(spec.name()); }

    /** X of the current network for samples {@code [from, to)}. */
    Tensor input(int from, int to) { return current.narrow(0, from, to - from); }

    /** X of the current network for the given samples. */
    Tensor input(int[] rows) { return current.index_select(0, Tensors.indices(rows)); }

    /** X of the dense network at the same unit, samples {@code [from, to)}; null without the original target. */
    Tensor originalInput(int from, int to) { return original == null ? null : original.narrow(0, from, to - from); }

    /**
     * Moves to unit {@code unit} of {@code next}, the network after the last cut (ops before the current unit's start
     * unchanged): X through the layers in between, for the current and the dense network.
     */
    void advance(Network next, int unit) {
        Unit to = next.unit(unit);
        UnitSpec from = at;
        Tensor cur = current, orig = original;
        Tensor nextCurrent = batched(calibration.size(), (a, b) -> to.inputFrom(from, cur.narrow(0, a, b - a)));
        Tensor nextOriginal = null;
        if (orig != null) {
            Unit dt = dense.unit(unit);
            nextOriginal = batched(calibration.size(), (a, b) -> dt.inputFrom(from, orig.narrow(0, a, b - a)));
        }
        release();
        current = nextCurrent;
        original = nextOriginal;
        at = to.spec();
    }

    private interface Slice {
        Tensor of(int from, int to);
    }

    /** The batches {@code [from, from + batch)} of {@code slice}, copied into one retained tensor as they come. */
    private Tensor batched(int rows, Slice slice) {
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor all = null;
            for (int from = 0; from < rows; from += batch) {
                int to = Math.min(rows, from + batch);
                try (PointerScope scope = new PointerScope()) {
                    Tensor part = slice.of(from, to);
                    if (all == null) {
                        long[] shape = part.shape();
                        shape[0] = rows;
                        all = Tensors.retained(torch.empty(shape, part.options(), new MemoryFormatOptional()));
                    }
                    all.narrow(0, from, to - from).copy_(part);
                }
            }
            return all;
        }
    }

    private void release() {
        if (original != null && original != current) original.releaseReference();
        if (current != null) current.releaseReference();
        current = null;
        original = null;
    }

    @Override
    public void close() { release(); }
}
