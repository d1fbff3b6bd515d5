package io.ispasp.prune;

import io.ispasp.core.PruneOptions;
import io.ispasp.core.Target;
import io.ispasp.engine.Convolution;
import io.ispasp.engine.Tensors;
import io.ispasp.nn.Network;
import io.ispasp.nn.Unit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * One unit of the current (already partly pruned) network as the selectors see it, on the calibration data: the
 * unit's input X, H = A(X), and the target of B's linear part, batch by batch, for every kind of unit (B a Linear,
 * a 1x1 or a 3x3 conv, strided or not). The target is the still-dense unit's B_lin(H) on the current prefix's
 * output ({@link Target#CURRENT}, the authors' scheme), or the original dense network's B output at the same unit
 * minus the current B's shift ({@link Target#ORIGINAL}); either way an empty support gives R = target. Tensors
 * returned belong to the caller's PointerScope.
 */
public final class UnitData {
    private final Network net;
    private final Network original;
    private final Unit unit;
    private final int keep;
    private final Calibration calibration;
    private final PruneOptions options;
    private final CarriedInputs carried; // X carried from the previous unit, or null: recomputed from the samples

    /**
     * @param net         the current network
     * @param original    the dense network before any unit was pruned (for {@link Target#ORIGINAL}; may be {@code net})
     * @param unit        the unit's index
     * @param keep        groups to keep, in [1, N]
     */
    public UnitData(Network net, Network original, int unit, int keep, Calibration calibration, PruneOptions options) {
        this(net, original, unit, keep, calibration, options, null);
    }

    /** As above, with X (and the dense network's X) taken from {@code carried}, which must be at this unit. */
    UnitData(Network net, Network original, int unit, int keep, Calibration calibration, PruneOptions options, CarriedInputs carried) {
        if (unit < 0 || unit >= net.units().size()) throw new IllegalArgumentException("no unit " + unit + " in " + net.architecture().name());
        this.net = net;
        this.original = original;
        this.unit = net.unit(unit);
        int n = this.unit.groups();
        if (keep < 1 || keep > n) throw new IllegalArgumentException(this.unit.name() + ": keep " + keep + " outside [1, " + n + "]");
        this.keep = keep;
        this.calibration = calibration;
        this.options = options;
        if (carried != null && !carried.at(this.unit.spec())) throw new IllegalArgumentException("carried inputs are not at " + this.unit.name());
        this.carried = carried;
    }

    public Network network() { return net; }

    public Unit unit() { return unit; }

    public int index() { return unit.index(); }

    public Calibration calibration() { return calibration; }

    public PruneOptions options() { return options; }

    /** Name in reports and layouts. */
    public String name() { return unit.name(); }

    /** N: groups of the unit now. */
    public int groups() { return unit.groups(); }

    /** s: groups to keep. */
    public int keep() { return keep; }

    /** B's output width. */
    public int outputs() { return unit.outputs(); }

    /** B's kernel taps (1 for a Linear or a 1x1 conv, 9 for a 3x3 conv). */
    public int taps() { return unit.taps(); }

    /** B's stride (1 for a Linear). */
    public int stride() { return unit.stride(); }

    /** Whether H has positions (B is a conv). */
    public boolean convolutional() { return unit.convolutional(); }

    /** Positions of H per sample (height x width; for a Linear unit the calibration's rows per sample, 1 or tokens), from the shapes. */
    public long positions() {
        if (!convolutional()) return Math.max(1, Math.round(calibration.rowsPerSample()));
        long[] h = unit.hiddenShape(calibration.sampleShape());
        return h[1] * h[2];
    }

    /** Rows the statistics see: samples x positions. */
    public long rows() { return calibration.size() * positions(); }

    /** X for calibration samples {@code [from, to)}: the current prefix's output. */
    public Tensor input(int from, int to) { return carried != null ? carried.input(from, to) : unit.input(calibration.inputs(from, to)); }

    /** X for the given calibration rows. */
    public Tensor input(int[] rows) { return carried != null ? carried.input(rows) : unit.input(calibration.inputs(rows)); }

    /** H = A(X). */
    public Tensor hidden(Tensor input) { return unit.hidden(input); }

    /** The indices along H's dimension 1 (and a Linear B's columns) of the groups {@code support}: a head's columns. */
    public Tensor hiddenIndices(int[] support) { return unit.columnIndices(support); }

    /** Per group, the sums of {@code t} (H's shape) over rows, positions and the group's columns. */
    public double[] groupSums(Tensor t) { return unit.groupSums(t); }

    /** B_lin of H restricted to the groups {@code support} (ascending), without B's shift. */
    public Tensor bLinear(Tensor h, int[] support, Tensor weightS) {
        Tensor hS = h.index_select(1, hiddenIndices(support));
        if (!convolutional()) return hS.mm(weightS.t());
        return Convolution.conv2d(hS, weightS, null, stride(), unit.padding(), 1);
    }

    /** B's weight with the BN scale folded in, [out, N] or [out, N, k, k]. */
    public Tensor bWeight() { return unit.bWeight(); }

    /** G = B_lin^T(R): the gradient of 0.5 ||R||^2 through the dense B, in H's shape (given by {@code h}). */
    public Tensor adjoint(Tensor r, Tensor weight, Tensor h) {
        if (!convolutional()) return r.mm(weight);
        if (stride() == 1) return Convolution.convTranspose2d(r, weight, unit.padding());
        // a strided B: the adjoint by autograd of <R, B_lin(H)> (libtorch's im2col kernel with gradients on)
        try (org.bytedeco.pytorch.AutoGradMode on = new org.bytedeco.pytorch.AutoGradMode(true)) {
            Tensor hv = h.detach().clone().set_requires_grad(true);
            Convolution.conv2d(hv, weight, null, stride(), unit.padding(), 1).mul(r).sum().backward();
            return hv.grad().detach();
        }
    }

    /** Whether the target is the current unit's own B_lin(H): CURRENT, or ORIGINAL before any unit was pruned. */
    public boolean targetIsCurrent() {
        return options.target() == Target.CURRENT || original == net;
    }

    /**
     * The target of B's linear part for samples {@code [from, to)} with hidden tensor {@code h} (CURRENT: B_lin(H);
     * ORIGINAL: the original network's B output at this unit minus the current B's shift).
     */
    public Tensor target(int from, int to, Tensor h) {
        if (targetIsCurrent()) return unit.bLinear(h);
        Unit o = original.unit(unit.index());
        Tensor zo = carried != null ? carried.originalBLinear(from, to) : null;
        if (zo == null) zo = o.bLinear(o.hidden(o.input(calibration.inputs(from, to))));
        Tensor shift = o.bShift().sub(unit.bShift());
        return zo.add(shift.reshape(convolutional() ? new long[] {1, -1, 1, 1} : new long[] {1, -1}));
    }

    /** Activation mass a[c] = sum of H[:, c] over the calibration data and positions. */
    public double[] activationMass() {
        int n = groups(), rows = calibration.size(), batch = options.batchSize();
        double[] mass = new double[n];
        try (NoGradGuard g = new NoGradGuard()) {
            for (int from = 0; from < rows; from += batch) {
                try (PointerScope scope = new PointerScope()) {
                    Tensors.accumulate(mass, groupSums(hidden(input(from, Math.min(rows, from + batch)))));
                }
            }
        }
        return mass;
    }

    /** A per-group vector shaped to multiply H: [1, N] or [1, N, 1, 1] ([1, N x columns] for heads, each value repeated). */
    public Tensor groupVector(float[] values) {
        if (convolutional()) return Tensors.of(values, 1, values.length, 1, 1);
        int cols = unit.columns();
        float[] perColumn = new float[values.length * cols];
        for (int i = 0; i < perColumn.length; i++) perColumn[i] = values[i / cols];
        return Tensors.of(perColumn, 1, perColumn.length);
    }
}
