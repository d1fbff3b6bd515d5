package io.ispasp.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.UnitSpec;

/**
 * Which units of a network are pruned and at what ratio (fraction of groups kept; 1 = left dense), for every
 * family. Units are pruned in unit order, input to output. Text forms ({@link #parse}):
 * <ul>
 *   <li>{@code every}: every unit at the given ratio (what a plain {@code --ratio R} means), except attention heads
 *       (units whose groups span several columns), which stay dense unless a heads ratio ({@code --heads R}) is given:
 *       heads change an encoder far more per group than FFN neurons, so they are pruned only when asked for;</li>
 *   <li>{@code reference}: the authors' layouts (ResNets 0.4/0.4/0.4/1.0 per stage on blocks 1..n-2 of each
 *       stage, both units of a Bottleneck alike; MobileNetV2 0.3 on features 6, 9, 10, 12, 13); families without
 *       one are refused;</li>
 *   <li>{@code stages:r1,r2,r3,r4} and {@code stages-all:r1,r2,r3,r4} (families with stages): per-stage ratios on
 *       blocks 1..n-2 of each stage, as the authors, or on every block;</li>
 *   <li>{@code units:NAME=R,...} ({@code blocks:} is the same): named units, by unit name or hidden module.</li>
 * </ul>
 */
public final class Layout {
    private final double[] ratios;

    private Layout(double[] ratios) {
        for (double r : ratios) checkRatio(r, "ratio");
        this.ratios = ratios;
    }

    public static Layout of(double[] ratios) { return new Layout(ratios.clone()); }

    public static Layout every(Network net, double ratio) { return every(net.architecture(), ratio); }

    public static Layout every(Architecture arch, double ratio) { return every(arch, ratio, 1.0); }

    /** Every unit at {@code ratio}, attention heads units at {@code heads}. */
    public static Layout every(Architecture arch, double ratio, double heads) {
        checkRatio(ratio, "--ratio");
        checkRatio(heads, "--heads");
        List<UnitSpec> units = arch.blueprint().units();
        double[] r = new double[units.size()];
        for (int u = 0; u < r.length; u++) r[u] = units.get(u).heads() ? heads : ratio;
        return new Layout(r);
    }

    /** The authors' layout for this architecture, or a one-line error when they give none. */
    public static Layout reference(Network net) { return reference(net.architecture()); }

    public static Layout reference(Architecture arch) {
        double[] r = arch.referenceRatios();
        if (r == null) {
            throw new IllegalArgumentException("--layout reference: the authors give no layout for " + arch.name()
                    + " (use --ratio R, stages:... or units:NAME=R,...)");
        }
        return new Layout(r);
    }

    /** Per-stage ratios on blocks 1..n-2 of each stage ({@code allBlocks} false) or on every block. */
    public static Layout stages(Architecture arch, double[] stageRatios, boolean allBlocks) {
        List<UnitSpec> units = arch.blueprint().units();
        int stages = 0;
        for (UnitSpec u : units) stages = Math.max(stages, u.stage() + 1);
        if (stages == 0) throw new IllegalArgumentException("per-stage layouts are for networks with stages; use units:NAME=R for " + arch.name());
        if (stageRatios.length != stages) throw new IllegalArgumentException("a stage layout of " + arch.name() + " needs " + stages + " ratios, got " + stageRatios.length);
        double[] r = new double[units.size()];
        Arrays.fill(r, 1.0);
        for (int u = 0; u < r.length; u++) {
            if (allBlocks || units.get(u).inner()) r[u] = stageRatios[units.get(u).stage()];
        }
        return new Layout(r);
    }

    /**
     * Parses a layout. {@code ratio} is the value of {@code --ratio} (may be null); with text null it means
     * {@code every}.
     */
    public static Layout parse(String text, Network net, Double ratio) { return parse(text, net.architecture(), ratio); }

    public static Layout parse(String text, Architecture net, Double ratio) { return parse(text, net, ratio, null); }

    /**
     * As {@link #parse(String, Architecture, Double)}, with {@code heads} the value of {@code --heads} (may be null):
     * the ratio of every attention heads unit in {@code every} (the other units then stay dense without a ratio).
     */
    public static Layout parse(String text, Architecture net, Double ratio, Double heads) {
        boolean every = text == null || text.isBlank() || text.equals("every");
        if (heads != null) {
            if (!every) {
                throw new IllegalArgumentException("--heads " + heads + " goes with --ratio, not --layout '" + text
                        + "' (name head units there: units:layer.0.heads=R,...)");
            }
            boolean hasHeads = false;
            for (UnitSpec u : net.blueprint().units()) hasHeads |= u.heads();
            if (!hasHeads) throw new IllegalArgumentException("--heads " + heads + ": " + net.name() + " has no attention heads units");
            return every(net, ratio == null ? 1.0 : ratio, heads);
        }
        if (every) {
            if (ratio == null) throw new IllegalArgumentException("give --ratio R (every unit at R) or a --layout");
            return every(net, ratio);
        }
        if (text.equals("reference")) return reference(net);
        if (text.startsWith("stages:") || text.startsWith("stages-all:")) {
            String[] parts = text.substring(text.indexOf(':') + 1).split(",");
            double[] r = new double[parts.length];
            for (int i = 0; i < parts.length; i++) r[i] = number(parts[i], text);
            return stages(net, r, text.startsWith("stages-all:"));
        }
        if (text.startsWith("units:") || text.startsWith("blocks:")) {
            double[] r = new double[net.blueprint().units().size()];
            Arrays.fill(r, 1.0);
            Set<Integer> seen = new HashSet<>();
            for (String item : text.substring(text.indexOf(':') + 1).split(",")) {
                String[] kv = item.split("=");
                if (kv.length != 2) throw new IllegalArgumentException("layout item '" + item + "' is not UNIT=RATIO");
                int u = unitIndex(net, kv[0].trim());
                if (!seen.add(u)) throw new IllegalArgumentException("layout '" + text + "' names unit " + kv[0].trim() + " twice");
                r[u] = number(kv[1], item);
            }
            return new Layout(r);
        }
        throw new IllegalArgumentException("unknown layout '" + text + "' (expected every, reference, stages:r1,r2,..., "
                + "stages-all:r1,r2,... or units:NAME=R,...)");
    }

    /** Index of the unit named {@code name} (or whose hidden module it is), or a one-line error listing the units. */
    static int unitIndex(Architecture arch, String name) {
        List<UnitSpec> units = arch.blueprint().units();
        for (int u = 0; u < units.size(); u++) if (units.get(u).name().equals(name) || units.get(u).hidden().equals(name)) return u;
        List<String> names = new ArrayList<>();
        for (UnitSpec u : units) names.add(u.name());
        throw new IllegalArgumentException("no unit '" + name + "' in " + arch.name() + " (units: " + String.join(", ", names) + ")");
    }

    public double ratio(int unit) { return ratios[unit]; }

    public double[] ratios() { return ratios.clone(); }

    /** Units with a ratio below 1, in pruning order. */
    public int[] prunedUnits() {
        List<Integer> u = new ArrayList<>();
        for (int i = 0; i < ratios.length; i++) if (ratios[i] < 1.0) u.add(i);
        return u.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Groups kept of {@code groups} at unit {@code unit}: max(1, floor(ratio * N)), N when the ratio is 1. */
    public int keep(int unit, int groups) {
        return ratios[unit] >= 1.0 ? groups : Math.max(1, (int) Math.floor(ratios[unit] * groups));
    }

    /** Groups kept per unit of {@code net}. */
    public int[] widths(Network net) {
        check(net);
        return widths(net.widths());
    }

    /** Groups kept per unit, from the units' widths now. */
    public int[] widths(int[] current) {
        if (current.length != ratios.length) throw new IllegalArgumentException("layout has " + ratios.length + " units, widths " + current.length);
        int[] w = current.clone();
        for (int u = 0; u < w.length; u++) w[u] = keep(u, w[u]);
        return w;
    }

    /** Throws unless this layout has one ratio per unit of {@code net}. */
    public void check(Network net) {
        if (net.units().size() != ratios.length) {
            throw new IllegalArgumentException("layout has " + ratios.length + " units, " + net.architecture().name() + " " + net.units().size());
        }
    }

    @Override
    public String toString() { return Arrays.toString(ratios); }

    private static double number(String s, String context) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s.trim() + "' in layout '" + context + "' is not a number");
        }
    }

    private static void checkRatio(double r, String what) {
        if (!(r > 0 && r <= 1)) throw new IllegalArgumentException(what + " must be in (0, 1], got " + r);
    }
}
