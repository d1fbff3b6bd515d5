package io.ispasp.nn.arch;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.ispasp.nn.Activation;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Blueprint;
import io.ispasp.nn.Init;
import io.ispasp.nn.Op;
import io.ispasp.nn.UnitSpec;

/**
 * An {@code nn.Sequential} multi-layer perceptron: Linear layers with, between them, an optional BatchNorm1d, an
 * elementwise activation and an optional Dropout, and optionally an {@code nn.Flatten} first. Modules are named by
 * their index in the Sequential, as PyTorch does ({@code 0.weight}, {@code 2.weight}, ...).
 * <p>Units: every hidden layer, named by its Linear's index ({@code 0}, {@code 2}, ...; {@code 1}, {@code 3}, ...
 * after a Flatten): A = Linear [+ BatchNorm1d] + activation, B = the next Linear (dropout is the identity in eval mode).
 *
 * @param sizes      [in, h1, ..., hk, out]
 * @param activation the activation after every hidden layer
 * @param slope      LeakyReLU's negative slope (ignored by the others)
 * @param batchNorm  a BatchNorm1d after every hidden Linear
 * @param dropout    dropout probability after every activation (0: no Dropout module)
 * @param flatten    an {@code nn.Flatten} before the first Linear
 */
public record Mlp(int[] sizes, Activation activation, double slope, boolean batchNorm, double dropout, boolean flatten)
        implements Architecture {

    public Mlp {
        sizes = sizes.clone();
        if (sizes.length < 2) throw new IllegalArgumentException("an MLP needs at least input and output sizes");
        for (int s : sizes) if (s <= 0) throw new IllegalArgumentException("layer sizes must be positive: " + java.util.Arrays.toString(sizes));
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }

    /** A plain ReLU MLP. */
    public static Mlp relu(int... sizes) { return new Mlp(sizes, Activation.RELU, 0.01, false, 0, false); }

    @Override
    public int[] sizes() { return sizes.clone(); }

    @Override
    public String name() { return "mlp"; }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("mlp sizes=");
        for (int i = 0; i < sizes.length; i++) s.append(i > 0 ? "," : "").append(sizes[i]);
        s.append(" activation=").append(activation.text());
        if (activation == Activation.LEAKY_RELU) s.append(" slope=").append(Description.format(slope));
        if (batchNorm) s.append(" batchnorm=true");
        if (dropout > 0) s.append(" dropout=").append(Description.format(dropout));
        if (flatten) s.append(" flatten=true");
        return s.toString();
    }

    static Mlp parse(Description d) {
        String[] parts = d.text("sizes", "").split(",");
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("mlp sizes=" + d.text("sizes", "") + ": '" + parts[i] + "' is not an integer");
            }
        }
        String act = d.text("activation", "relu");
        Activation a = Activation.byName(act);
        if (a == null) throw new IllegalArgumentException("unknown activation '" + act + "' (relu, relu6, leaky_relu, gelu, silu, tanh)");
        return new Mlp(sizes, a, d.number("slope", 0.01), Boolean.parseBoolean(d.text("batchnorm", "false")),
                d.number("dropout", 0), Boolean.parseBoolean(d.text("flatten", "false")));
    }

    @Override
    public int classes() { return sizes[sizes.length - 1]; }

    @Override
    public Architecture withClasses(int classes) {
        int[] s = sizes.clone();
        s[s.length - 1] = classes;
        return new Mlp(s, activation, slope, batchNorm, dropout, flatten);
    }

    @Override
    public long[] inputShape(int size) { return new long[] {sizes[0]}; }

    @Override
    public int nativeInput() { return 0; }

    /** Sequential index of Linear {@code layer}. */
    public int linearIndex(int layer) {
        int perHidden = 2 + (batchNorm ? 1 : 0) + (dropout > 0 ? 1 : 0);
        return (flatten ? 1 : 0) + layer * perHidden;
    }

    @Override
    public Blueprint blueprint() {
        Blueprint.Builder b = new Blueprint.Builder();
        if (flatten) b.op(new Op.Flatten("x", "x"));
        int layers = sizes.length - 1;
        int[] starts = new int[layers], acts = new int[layers];
        for (int l = 0; l < layers; l++) {
            int m = linearIndex(l);
            starts[l] = b.next();
            b.linear("x", "x", String.valueOf(m), sizes[l], sizes[l + 1], true);
            if (l + 1 == layers) break;
            if (batchNorm) b.batchNorm("x", "x", String.valueOf(m + 1), sizes[l + 1]);
            acts[l] = b.next();
            b.op(new Op.Act("x", "x", activation, slope));
            if (dropout > 0) b.op(new Op.Dropout("x", "x", dropout));
        }
        for (int l = 0; l + 1 < layers; l++) {
            String lin = String.valueOf(linearIndex(l));
            String hidden = batchNorm ? String.valueOf(linearIndex(l) + 1) : lin;
            List<UnitSpec.Coupled> c = new ArrayList<>(Blueprint.layer(b, lin, 0));
            if (batchNorm) c.addAll(Blueprint.layer(b, hidden, 0));
            c.add(new UnitSpec.Coupled(linearIndex(l + 1) + ".weight", 1));
            b.unit(new UnitSpec(lin, hidden, "x", starts[l], acts[l], starts[l + 1], null, c, -1, false));
        }
        return b.build("x");
    }

    /** The authors give no MLP layout. */
    @Override
    public double[] referenceRatios() { return null; }

    /** PyTorch's defaults: Linear uniform in +-1/sqrt(fan_in), BatchNorm 1 and 0. */
    @Override
    public float[] initial(String name, long[] shape, Random rnd) {
        int module = Integer.parseInt(name.substring(0, name.indexOf('.')));
        for (int l = 0; l + 1 < sizes.length; l++) {
            if (linearIndex(l) == module) return Init.uniformFanIn(shape, sizes[l], rnd);
        }
        return Init.batchNorm(name, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mlp m && java.util.Arrays.equals(m.sizes, sizes) && m.activation == activation
                && Double.compare(m.slope, slope) == 0 && m.batchNorm == batchNorm && Double.compare(m.dropout, dropout) == 0
                && m.flatten == flatten;
    }

    @Override
    public int hashCode() { return java.util.Arrays.hashCode(sizes) * 31 + activation.hashCode(); }

    @Override
    public String toString() { return describe(); }

}
