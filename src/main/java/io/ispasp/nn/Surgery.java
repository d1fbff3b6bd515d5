package io.ispasp.nn;

import java.util.LinkedHashMap;
import java.util.Map;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Physically removes a unit's dropped groups: a new, smaller {@link Network} in which every tensor the unit couples
 * keeps only the kept indices along its coupled dimension (BN running statistics included). One rule for every
 * family, read from {@link UnitSpec#coupled()}. The input network is never modified.
 */
public final class Surgery {
    private Surgery() {}

    /** The network with only {@code kept} (strictly increasing) groups of unit {@code unit}. */
    public static Network keep(Network net, int unit, int[] kept) {
        return keep(net, unit, kept, 1f, null);
    }

    /**
     * As {@link #keep(Network, int, int[])}; B's kept input columns are multiplied by {@code columnScale} (GFS's N/s
     * rescaling, 1 otherwise), or replaced by {@code bWeight} when it is not null (a refit; B's raw weight for the
     * kept columns, shape [out, s] or [out, s, k, k]).
     */
    public static Network keep(Network net, int unit, int[] kept, float columnScale, Tensor bWeight) {
        return keep(net, unit, kept, columnScale, bWeight, null);
    }

    /**
     * As {@link #keep(Network, int, int[], float, Tensor)}, and B's output moves by {@code shift} ([out], or null):
     * added to B's bias, or, when an eval-mode BN follows B, taken from that BN's running mean divided by its scale
     * (so the BN's output moves by exactly {@code shift}; outputs whose BN scale is 0 do not depend on B and stay).
     */
    public static Network keep(Network net, int unit, int[] kept, float columnScale, Tensor bWeight, Tensor shift) {
        Unit u = net.unit(unit);
        if (shift != null && !u.canShift()) throw new IllegalArgumentException(u.name() + ": B has neither a bias nor a BN to take a shift");
        String shifted = shift == null ? null : u.spec().bNorm() != null ? u.spec().bNorm() + ".running_mean" : u.bModule() + ".bias";
        checkKept(kept, u.groups(), u.name());
        Map<String, Integer> coupled = new LinkedHashMap<>();
        for (UnitSpec.Coupled c : u.spec().coupled()) coupled.put(c.tensor(), c.dim());
        String bName = u.bModule() + ".weight";
        LinkedHashMap<String, Tensor> next = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            Tensor idx = Tensors.indices(u.spec().columnsOf(kept));   // a head keeps all its columns
            for (Map.Entry<String, Tensor> e : net.state().entrySet()) {
                Integer dim = coupled.get(e.getKey());
                Tensor t = dim == null ? e.getValue() : e.getValue().index_select(dim, idx);
                if (e.getKey().equals(bName)) {
                    if (bWeight != null) {
                        if (!java.util.Arrays.equals(bWeight.shape(), t.shape())) {
                            throw new IllegalArgumentException(u.name() + ": refit weight has shape "
                                    + java.util.Arrays.toString(bWeight.shape()) + ", expected " + java.util.Arrays.toString(t.shape()));
                        }
                        t = bWeight;
                    } else if (columnScale != 1f) {
                        t = t.mul(new Scalar(columnScale));
                    }
                }
                if (e.getKey().equals(shifted)) t = shifted(u, t, shift);
                next.put(e.getKey(), t);
            }
            return net.withState(next);
        }
    }

    private static Tensor shifted(Unit u, Tensor t, Tensor shift) {
        if (shift.numel() != t.numel()) throw new IllegalArgumentException(u.name() + ": shift has " + shift.numel() + " values, B has " + t.numel() + " outputs");
        Tensor delta = shift.to(t.scalar_type()).reshape(t.shape());
        if (u.spec().bNorm() == null) return t.add(delta);
        return t.sub(u.dividedByKappa(delta));
    }

    private static void checkKept(int[] kept, int n, String unit) {
        if (kept.length == 0) throw new IllegalArgumentException(unit + ": must keep at least one group");
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] < 0 || kept[i] >= n) throw new IllegalArgumentException(unit + ": kept group " + kept[i] + " outside [0, " + n + ")");
            if (i > 0 && kept[i] <= kept[i - 1]) throw new IllegalArgumentException(unit + ": kept groups must be strictly increasing");
        }
    }
}
