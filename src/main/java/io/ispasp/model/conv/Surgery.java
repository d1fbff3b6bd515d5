package io.ispasp.model.conv;

import java.util.LinkedHashMap;
import java.util.Map;

import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Physically removes the dropped groups of one unit: a new, smaller {@link ConvNet} whose coupled tensors keep only
 * the kept channels. For a ResNet BasicBlock: conv1's filters and bn1's four vectors (dim 0), conv2's input
 * channels (dim 1). For a MobileNetV2 inverted residual: the expand conv's filters and its BN, the depthwise
 * filters and their BN (dim 0, so the depthwise groups shrink with them), and the projection's input channels
 * (dim 1). BN running statistics of kept channels are copied. Everything else is copied unchanged.
 */
public final class Surgery {
    private Surgery() {}

    /** The net with only {@code kept} (strictly increasing) groups of {@code unit}; the input net is untouched. */
    public static ConvNet keep(ConvNet net, int unit, int[] kept) {
        return keep(net, unit, kept, 1f);
    }

    /**
     * As {@link #keep(ConvNet, int, int[])}, with B's kept input columns multiplied by {@code columnScale}
     * (GFS's N/s rescaling; 1 for the other methods).
     */
    public static ConvNet keep(ConvNet net, int unit, int[] kept, float columnScale) {
        ConvSpec spec = net.spec();
        int n = spec.inner(unit);
        checkKept(kept, n, spec.unitNames().get(unit));
        Map<String, Integer> coupled = coupled(spec, unit);
        LinkedHashMap<String, Tensor> next = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            Tensor idx = Tensors.indices(kept);
            for (Map.Entry<String, Tensor> e : net.state().entrySet()) {
                Integer dim = coupled.get(e.getKey());
                Tensor t = dim == null ? e.getValue() : e.getValue().index_select(dim, idx);
                if (dim != null && dim == 1 && columnScale != 1f) t = t.mul(new Scalar(columnScale));
                next.put(e.getKey(), t);
            }
            return ConvNet.fromState(spec.withInner(unit, kept.length), next);
        }
    }

    /** The tensors coupled to unit {@code unit}'s groups and the dimension that indexes the groups. */
    static Map<String, Integer> coupled(ConvSpec spec, int unit) {
        ConvSpec.Block b = spec.unitBlock(unit);
        Map<String, Integer> m = new LinkedHashMap<>();
        if (spec.arch().isResNet()) {
            String p = b.name() + ".";
            m.put(p + "conv1.weight", 0);
            bn(m, p + "bn1");
            m.put(p + "conv2.weight", 1);
        } else {
            String p = b.name() + ".conv.";
            m.put(p + "0.0.weight", 0);
            bn(m, p + "0.1");
            m.put(p + "1.0.weight", 0);
            bn(m, p + "1.1");
            m.put(p + "2.weight", 1);
        }
        return m;
    }

    private static void bn(Map<String, Integer> m, String prefix) {
        for (String s : new String[] {"weight", "bias", "running_mean", "running_var"}) m.put(prefix + "." + s, 0);
    }

    private static void checkKept(int[] kept, int n, String unit) {
        if (kept.length == 0) throw new IllegalArgumentException(unit + ": must keep at least one group");
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] < 0 || kept[i] >= n) throw new IllegalArgumentException(unit + ": kept group " + kept[i] + " outside [0, " + n + ")");
            if (i > 0 && kept[i] <= kept[i - 1]) throw new IllegalArgumentException(unit + ": kept groups must be strictly increasing");
        }
    }
}
