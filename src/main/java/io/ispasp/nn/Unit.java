package io.ispasp.nn;

import java.util.HashMap;
import java.util.Map;

import io.ispasp.engine.Convolution;
import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One unit of a {@link Network} as the pruner and the selectors see it: A makes the hidden groups H from the unit's
 * input X, B (a conv or Linear, then maybe an eval-mode BN) is linear in H. Gives X, H, B's linear part and the rest
 * of the network from H, all in eval mode; tensors returned belong to the caller's PointerScope.
 */
public final class Unit {
    private final Network net;
    private final int index;
    private final UnitSpec spec;

    Unit(Network net, int index, UnitSpec spec) {
        this.net = net;
        this.index = index;
        this.spec = spec;
    }

    public Network network() { return net; }

    /** Position in the network's unit list (pruning order). */
    public int index() { return index; }

    public UnitSpec spec() { return spec; }

    /** Name in reports and layouts. */
    public String name() { return spec.name(); }

    /** Module path of the module whose output channel c is group c. */
    public String hidden() { return spec.hidden(); }

    /** N: the unit's groups now. */
    public int groups() { return spec.groupsOf(net.tensor(spec.hidden() + ".weight").size(0)); }

    /** Columns of H per group: 1, or a head's width for attention heads. */
    public int columns() { return spec.columns(); }

    /** B's output width (channels or features). */
    public int outputs() { return (int) net.tensor(bModule() + ".weight").size(0); }

    /** Whether B is a convolution (else a Linear). */
    public boolean convolutional() { return bOp() instanceof Op.Conv; }

    /** B's kernel side (1 for a Linear). */
    public int kernel() { return convolutional() ? (int) net.tensor(bModule() + ".weight").size(2) : 1; }

    /**
     * Features B reads per group: 9 for a 3x3 conv, 1 for a 1x1 conv or a Linear over single neurons, a head's width
     * for a Linear over attention heads; feature index = group x taps + k (group-major, B's weight order) either way.
     */
    public int taps() { return convolutional() ? kernel() * kernel() : spec.columns(); }

    /** B's stride (1 for a Linear). */
    public int stride() { return bOp() instanceof Op.Conv c ? c.stride() : 1; }

    /** B's padding (0 for a Linear). */
    public int padding() { return bOp() instanceof Op.Conv c ? c.pad() : 0; }

    /**
     * The activation that makes H (ReLU where H is an op after one, such as a pooling), or null where no activation
     * does: the context of attention heads, which takes any sign.
     */
    public Activation activation() {
        Op op = net.program().op(spec.hiddenOp());
        if (op instanceof Op.SelfAttention) return null;
        return op instanceof Op.Act a ? a.kind() : Activation.RELU;
    }

    /** Module path of B's conv or Linear. */
    public String bModule() { return bOp().module(); }

    private Op bOp() { return net.program().op(spec.bOp()); }

    /** The unit's input X for network inputs {@code x}: every op before the unit, eval mode. */
    public Tensor input(Tensor x) {
        Map<String, Tensor> env = new HashMap<>();
        env.put(Program.INPUT, x);
        net.program().run(env, 0, spec.start(), net.lookup(), false);
        return env.get(spec.input());
    }

    /** The shape of X for one sample of shape {@code sample}, from the shapes alone (no forward). */
    public long[] inputShape(long[] sample) {
        return Complexity.registerShape(net.program(), net.shapes(), sample, spec.start(), spec.input());
    }

    /** The shape of H for one sample of shape {@code sample}, from the shapes alone (no forward). */
    public long[] hiddenShape(long[] sample) {
        return Complexity.registerShape(net.program(), net.shapes(), sample, spec.hiddenOp() + 1, net.program().op(spec.hiddenOp()).out());
    }

    /**
     * X from the input of an earlier unit of the same architecture ({@code earlier}'s X, its start at or before this
     * unit's): the ops between the two starts, so a pruner can carry X from unit to unit instead of recomputing the
     * prefix. Equal to {@link #input} of the samples as long as the ops before {@code earlier}'s start are this network's.
     */
    public Tensor inputFrom(UnitSpec earlier, Tensor earlierInput) {
        if (earlier.start() > spec.start()) throw new IllegalArgumentException(earlier.name() + " starts after " + spec.name());
        Map<String, Tensor> env = new HashMap<>();
        env.put(earlier.input(), earlierInput);
        net.program().run(env, earlier.start(), spec.start(), net.lookup(), false);
        return env.get(spec.input());
    }

    /** What one pass from X at a unit to X at a later unit computes on the way: H, B's linear part of H, X there. */
    public record Pass(Tensor hidden, Tensor bLinear, Tensor later) {}

    /**
     * One pass over the ops from this unit's X to {@code later}'s, keeping H and B's linear part on the way: bit for
     * bit what {@link #hidden}, {@link #bLinear} and {@link #inputFrom} give, for about the cost of the last alone (B's
     * own conv is B's linear part before the scale when it has no bias; else B's linear part is computed from H).
     * {@code later} starts after B, or between H and B, reading H.
     */
    public Pass passTo(UnitSpec later, Tensor input) {
        if (!canPassTo(later)) throw new IllegalArgumentException(later.name() + " starts before or inside " + spec.name() + " without reading its H");
        Program p = net.program();
        String h = p.op(spec.hiddenOp()).out();
        boolean readsH = later.start() <= spec.bOp();
        Map<String, Tensor> env = new HashMap<>();
        env.put(spec.input(), input);
        p.run(env, spec.start(), spec.hiddenOp() + 1, net.lookup(), false);
        Tensor hidden = env.get(h);
        if (readsH) return new Pass(hidden, bLinear(hidden), hidden);
        // each run keeps what a later op reads and leaves the tensors of the runs before it alone, so H stays
        p.run(env, spec.hiddenOp() + 1, spec.bOp() + 1, net.lookup(), false);
        Tensor bOut = env.get(p.op(spec.bOp()).out());
        Tensor bLin = bOp() instanceof Op.Conv c && !c.bias() && !c.depthwise()
                ? bOut.mul(kappa().reshape(1, -1, 1, 1))   // as bLinear: the same conv of H, then the scale
                : bLinear(hidden);
        p.run(env, spec.bOp() + 1, later.start(), net.lookup(), false);
        return new Pass(hidden, bLin, env.get(later.input()));
    }

    /** Whether {@link #passTo} can reach {@code later}: it starts after B, or between H and B reading H. */
    public boolean canPassTo(UnitSpec later) {
        return later.start() > spec.bOp()
                || later.start() > spec.hiddenOp() && later.input().equals(net.program().op(spec.hiddenOp()).out());
    }

    /** H = A(X): [rows, N] or [rows, N, h, w]. */
    public Tensor hidden(Tensor input) {
        Map<String, Tensor> env = new HashMap<>();
        env.put(spec.input(), input);
        net.program().run(env, spec.start(), spec.hiddenOp() + 1, net.lookup(), false);
        return env.get(net.program().op(spec.hiddenOp()).out());
    }

    /** The logits when the unit's hidden tensor is {@code h} (possibly modified) and its input {@code input}. */
    public Tensor forwardFromHidden(Tensor input, Tensor h) {
        Map<String, Tensor> env = new HashMap<>();
        env.put(spec.input(), input);
        env.put(net.program().op(spec.hiddenOp()).out(), h);
        net.program().run(env, spec.hiddenOp() + 1, net.program().size(), net.lookup(), false);
        return env.get(net.program().output());
    }

    /** B's linear part kappa * B_w(h), without B's bias or BN shift: [rows, out] or [rows, out, h', w']. */
    public Tensor bLinear(Tensor h) {
        Tensor w = net.tensor(bModule() + ".weight");
        if (!convolutional()) return h.mm(w.t()).mul(kappa());
        Tensor y = Convolution.conv2d(h, w, null, stride(), padding(), 1);
        return y.mul(kappa().reshape(1, -1, 1, 1));
    }

    /** B's weight with the BN scale folded in: [out, N] or [out, N, k, k]. */
    public Tensor bWeight() {
        Tensor w = net.tensor(bModule() + ".weight");
        long[] shape = w.dim() == 4 ? new long[] {-1, 1, 1, 1} : new long[] {-1, 1};
        return w.mul(kappa().reshape(shape));
    }

    /** The rest of B's affine output, B(h) = bLinear(h) + shift: kappa * bias + beta - kappa * mean, [out]. */
    public Tensor bShift() {
        Tensor k = kappa();
        Tensor shift = net.state().containsKey(bModule() + ".bias") ? net.tensor(bModule() + ".bias").mul(k) : torch.zeros_like(k);
        if (spec.bNorm() == null) return shift;
        String bn = spec.bNorm();
        return shift.add(net.tensor(bn + ".bias")).sub(k.mul(net.tensor(bn + ".running_mean")));
    }

    /** Whether B's output can be moved by a constant per output: B has a bias, or a BN follows it. */
    public boolean canShift() {
        return spec.bNorm() != null || net.state().containsKey(bModule() + ".bias");
    }

    /** The eval-mode BN scale after B, gamma / sqrt(var + eps), or ones without a BN: [out]. */
    public Tensor kappa() {
        if (spec.bNorm() == null) return torch.ones(outputs());
        String bn = spec.bNorm();
        return net.tensor(bn + ".weight").div(net.tensor(bn + ".running_var").add(new Scalar(Op.BatchNorm.EPS)).sqrt());
    }

    /**
     * {@code t} (first dimension: B's outputs) with the BN scale divided out per output, 0 where the scale is 0 (such an
     * output does not depend on B): B's own weights or shift from values with the scale folded in.
     */
    public Tensor dividedByKappa(Tensor t) {
        long[] shape = new long[(int) t.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = -1;
        Tensor kappa = kappa().reshape(shape);
        return t.div(kappa).where(kappa.ne(new Scalar(0)), torch.zeros_like(t));
    }

    /** Per group, the L1 norm of A's weight that makes it (the magnitude criterion; all of a head's rows). */
    public double[] filterNorms() {
        Tensor w = net.tensor(spec.aWeight());
        try (PointerScope scope = new PointerScope()) {
            return Tensors.doubles(w.abs().reshape(groups(), -1).sum(new long[] {1}, false, new ScalarTypeOptional(torch.ScalarType.Double)));
        }
    }

    /** Per group, the sums of {@code t} (shaped like H) over rows, positions and the group's columns. */
    public double[] groupSums(Tensor t) {
        double[] perColumn = Tensors.groupSums(t);
        int cols = spec.columns();
        if (cols == 1) return perColumn;
        double[] sums = new double[perColumn.length / cols];
        for (int i = 0; i < perColumn.length; i++) sums[i / cols] += perColumn[i];
        return sums;
    }

    /** The indices along H's dimension 1 (and B's weight's) of the groups {@code groups} (ascending). */
    public Tensor columnIndices(int[] groups) { return Tensors.indices(spec.columnsOf(groups)); }

    @Override
    public String toString() { return spec.name() + " (" + groups() + " groups)"; }
}
