package io.ispasp.model.conv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which units of a conv net are pruned and at what ratio (fraction of groups kept; 1 = left dense). Units are
 * pruned in unit order, input to output. Text forms ({@link #parse}):
 * <ul>
 *   <li>{@code reference}: the authors' layouts (SPEC section 4): ResNets 0.4/0.4/0.4/1.0 per stage on blocks
 *       1..n-2 of each stage; MobileNetV2 0.3 on features 6, 9, 10, 12, 13;</li>
 *   <li>{@code every}: every unit at the given ratio (what a plain {@code --ratio R} means);</li>
 *   <li>{@code stages:r1,r2,r3,r4} (ResNets): per-stage ratios on blocks 1..n-2 of each stage, as the authors;</li>
 *   <li>{@code stages-all:r1,r2,r3,r4} (ResNets): per-stage ratios on every block;</li>
 *   <li>{@code blocks:layer1.1=0.4,layer3.2=0.5} or {@code blocks:features.6=0.3,...}: named blocks.</li>
 * </ul>
 */
public final class Layout {
    private final double[] ratios;

    private Layout(double[] ratios) {
        for (double r : ratios) checkRatio(r, "ratio");
        this.ratios = ratios;
    }

    public static Layout of(double[] ratios) { return new Layout(ratios.clone()); }

    /** The authors' default layout for this architecture. */
    public static Layout reference(ConvSpec spec) {
        double[] r = new double[spec.units()];
        Arrays.fill(r, 1.0);
        if (spec.arch().isResNet()) return stages(spec, new double[] {0.4, 0.4, 0.4, 1.0}, false);
        List<String> names = spec.unitNames();
        for (int f : new int[] {6, 9, 10, 12, 13}) r[names.indexOf("features." + f)] = 0.3;
        return new Layout(r);
    }

    public static Layout every(ConvSpec spec, double ratio) {
        checkRatio(ratio, "--ratio");
        double[] r = new double[spec.units()];
        Arrays.fill(r, ratio);
        return new Layout(r);
    }

    /** Per-stage ratios of a ResNet, on blocks 1..n-2 of each stage ({@code allBlocks} false) or on every block. */
    public static Layout stages(ConvSpec spec, double[] stageRatios, boolean allBlocks) {
        if (!spec.arch().isResNet()) throw new IllegalArgumentException("per-stage layouts are for ResNets; use blocks:features.N=R for " + spec.arch().cliName());
        if (stageRatios.length != 4) throw new IllegalArgumentException("a stage layout needs 4 ratios, got " + stageRatios.length);
        double[] r = new double[spec.units()];
        Arrays.fill(r, 1.0);
        int[] depths = spec.arch().stageDepths();
        for (ConvSpec.Block b : spec.blocks()) {
            boolean inner = b.index() >= 1 && b.index() <= depths[b.stage()] - 2;
            if (allBlocks || inner) r[b.unit()] = stageRatios[b.stage()];
        }
        return new Layout(r);
    }

    /**
     * Parses a layout. {@code ratio} is the value of {@code --ratio} (may be null); with text null it means
     * {@code every}.
     */
    public static Layout parse(String text, ConvSpec spec, Double ratio) {
        if (text == null || text.isBlank() || text.equals("every")) {
            if (ratio == null) throw new IllegalArgumentException("give --ratio R (every unit at R) or a --layout");
            return every(spec, ratio);
        }
        if (text.equals("reference")) return reference(spec);
        if (text.startsWith("stages:") || text.startsWith("stages-all:")) {
            String[] parts = text.substring(text.indexOf(':') + 1).split(",");
            double[] r = new double[parts.length];
            for (int i = 0; i < parts.length; i++) r[i] = number(parts[i], text);
            return stages(spec, r, text.startsWith("stages-all:"));
        }
        if (text.startsWith("blocks:")) {
            double[] r = new double[spec.units()];
            Arrays.fill(r, 1.0);
            for (String item : text.substring(7).split(",")) {
                String[] kv = item.split("=");
                if (kv.length != 2) throw new IllegalArgumentException("layout item '" + item + "' is not BLOCK=RATIO");
                r[spec.unitIndex(kv[0].trim())] = number(kv[1], item);
            }
            return new Layout(r);
        }
        throw new IllegalArgumentException("unknown layout '" + text + "' (expected reference, every, stages:r1,r2,r3,r4, "
                + "stages-all:r1,r2,r3,r4 or blocks:NAME=R,...)");
    }

    public double ratio(int unit) { return ratios[unit]; }

    public double[] ratios() { return ratios.clone(); }

    /** Units with a ratio below 1, in pruning order. */
    public int[] prunedUnits() {
        List<Integer> u = new ArrayList<>();
        for (int i = 0; i < ratios.length; i++) if (ratios[i] < 1.0) u.add(i);
        return u.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Groups kept at unit {@code unit} of {@code spec}: max(1, floor(ratio * N)), N when the ratio is 1. */
    public int keep(ConvSpec spec, int unit) {
        int n = spec.inner(unit);
        return ratios[unit] >= 1.0 ? n : Math.max(1, (int) Math.floor(ratios[unit] * n));
    }

    /** The shape the net has after pruning by this layout. */
    public ConvSpec apply(ConvSpec spec) {
        if (spec.units() != ratios.length) throw new IllegalArgumentException("layout has " + ratios.length + " units, net " + spec.units());
        int[] w = new int[ratios.length];
        for (int u = 0; u < w.length; u++) w[u] = keep(spec, u);
        return spec.withInner(w);
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
