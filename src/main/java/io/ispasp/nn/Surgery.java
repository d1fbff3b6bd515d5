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
        Unit u = net.unit(unit);
        checkKept(kept, u.groups(), u.name());
        Map<String, Integer> coupled = new LinkedHashMap<>();
        for (UnitSpec.Coupled c : u.spec().coupled()) coupled.put(c.tensor(), c.dim());
        String bName = u.bModule() + ".weight";
        LinkedHashMap<String, Tensor> next = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            Tensor idx = Tensors.indices(kept);
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
                next.put(e.getKey(), t);
            }
            return net.withState(next);
        }
    }

    private static void checkKept(int[] kept, int n, String unit) {
        if (kept.length == 0) throw new IllegalArgumentException(unit + ": must keep at least one group");
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] < 0 || kept[i] >= n) throw new IllegalArgumentException(unit + ": kept group " + kept[i] + " outside [0, " + n + ")");
            if (i > 0 && kept[i] <= kept[i - 1]) throw new IllegalArgumentException(unit + ": kept groups must be strictly increasing");
        }
    }
}
