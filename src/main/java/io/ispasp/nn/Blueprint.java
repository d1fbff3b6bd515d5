package io.ispasp.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything an {@link Architecture} describes about its dense form: the program, the name and shape of every
 * parameter and buffer in torchvision's state-dict order, and the units in pruning order (input to output).
 *
 * @param program the forward pass
 * @param shapes  dense shapes by tensor name, in state-dict order
 * @param units   the prunable units, input to output
 */
public record Blueprint(Program program, Map<String, long[]> shapes, List<UnitSpec> units) {
    public Blueprint {
        shapes = Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
        units = List.copyOf(units);
    }

    /** The dense width (groups) of every unit. */
    public int[] widths() {
        int[] w = new int[units.size()];
        for (int u = 0; u < w.length; u++) w[u] = units.get(u).groupsOf(shapes.get(units.get(u).hidden() + ".weight")[0]);
        return w;
    }

    /** Whether {@code name} is a trainable parameter (not a BN running statistic or counter). */
    public static boolean isParameter(String name) {
        return !(name.endsWith("running_mean") || name.endsWith("running_var") || name.endsWith("num_batches_tracked"));
    }

    /** Builds a blueprint op by op; each layer registers its tensors in the order torchvision does. */
    public static final class Builder {
        private final List<Op> ops = new ArrayList<>();
        private final LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();
        private final List<UnitSpec> units = new ArrayList<>();

        /** The index the next op will get. */
        public int next() { return ops.size(); }

        public Builder conv(String out, String in, String module, int cin, int cout, int k, int stride, int pad,
                            boolean depthwise, boolean bias) {
            shapes.put(module + ".weight", new long[] {cout, depthwise ? 1 : cin, k, k});
            if (bias) shapes.put(module + ".bias", new long[] {cout});
            ops.add(new Op.Conv(out, in, module, stride, pad, depthwise, bias));
            return this;
        }

        public Builder batchNorm(String out, String in, String module, int channels) {
            for (String s : new String[] {"weight", "bias", "running_mean", "running_var"}) {
                shapes.put(module + "." + s, new long[] {channels});
            }
            shapes.put(module + ".num_batches_tracked", new long[0]);
            ops.add(new Op.BatchNorm(out, in, module));
            return this;
        }

        public Builder linear(String out, String in, String module, int fin, int fout, boolean bias) {
            shapes.put(module + ".weight", new long[] {fout, fin});
            if (bias) shapes.put(module + ".bias", new long[] {fout});
            ops.add(new Op.Linear(out, in, module, bias));
            return this;
        }

        /** Registers a tensor an op reads by name (embeddings, LayerNorm, attention projections). */
        public Builder tensor(String name, long... shape) {
            shapes.put(name, shape.clone());
            return this;
        }

        public Builder op(Op op) {
            ops.add(op);
            return this;
        }

        public Builder unit(UnitSpec unit) {
            units.add(unit);
            return this;
        }

        /** The shape registered for {@code tensor}, for coupling lists. */
        public boolean has(String tensor) { return shapes.containsKey(tensor); }

        public Blueprint build(String output) {
            return new Blueprint(new Program(ops, output), shapes, units);
        }
    }

    /** The tensors of a layer coupled along {@code dim}: weight, bias if any, and a BN's statistics. */
    public static List<UnitSpec.Coupled> layer(Builder b, String module, int dim) {
        List<UnitSpec.Coupled> c = new ArrayList<>();
        for (String s : new String[] {"weight", "bias", "running_mean", "running_var"}) {
            if (b.has(module + "." + s)) c.add(new UnitSpec.Coupled(module + "." + s, dim));
        }
        return c;
    }
}
