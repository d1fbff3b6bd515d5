package io.ispasp.model.conv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The complete shape of a conv net: architecture, form, classes, width multiplier and the inner width of every
 * prunable unit. Everything else (layer widths, strides, parameter shapes, FLOPs) follows from it, so a pruned
 * model is described by the same record with smaller {@code inner} widths.
 * <ul>
 *   <li>ResNet18/34: one unit per BasicBlock ({@code layer1.0}, ...); its inner width is conv1's output channels.
 *       Stage widths are {@code max(1, round(64 * 2^s * width))}.</li>
 *   <li>MobileNetV2: one unit per inverted residual with an expansion ({@code features.2} .. {@code features.17});
 *       its inner width is the expanded (hidden) channels. Channel widths follow torchvision's
 *       {@code _make_divisible(c * width, 8)}.</li>
 * </ul>
 * The ImageNet form is torchvision's (7x7/2 stem and max-pool for ResNets, 3x3/2 stem for MobileNetV2); the CIFAR
 * form has a 3x3 stride-1 stem and no max-pool (ResNets) or stride 1 in the stem and in the first 24-channel block
 * (MobileNetV2), so a 32x32 input ends on a 4x4 (ResNet) or 4x4 (MobileNetV2) map.
 *
 * @param arch    architecture
 * @param cifar   CIFAR form instead of the ImageNet form
 * @param classes output classes
 * @param width   width multiplier (1 = torchvision's widths)
 * @param inner   inner width of each unit, in unit order
 */
public record ConvSpec(Arch arch, boolean cifar, int classes, double width, int[] inner) {

    /** MobileNetV2's inverted-residual settings: expansion t, output channels c, repeats n, first stride s. */
    static final int[][] MOBILENET_SETTINGS = {
            {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

    public ConvSpec {
        if (arch == null) throw new IllegalArgumentException("architecture must not be null");
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        if (!(width > 0) || width > 16) throw new IllegalArgumentException("width multiplier must be in (0, 16], got " + width);
        inner = inner.clone();
        int[] dense = denseInner(arch, cifar, width);
        if (inner.length != dense.length) {
            throw new IllegalArgumentException(arch.cliName() + " has " + dense.length + " units, got " + inner.length + " inner widths");
        }
        for (int i = 0; i < inner.length; i++) {
            if (inner[i] < 1 || inner[i] > dense[i]) {
                throw new IllegalArgumentException("unit " + i + " inner width " + inner[i] + " outside [1, " + dense[i] + "]");
            }
        }
    }

    /** The unpruned net. */
    public static ConvSpec dense(Arch arch, boolean cifar, int classes, double width) {
        return new ConvSpec(arch, cifar, classes, width, denseInner(arch, cifar, width));
    }

    @Override
    public int[] inner() { return inner.clone(); }

    public int inner(int unit) { return inner[unit]; }

    /** Number of prunable units. */
    public int units() { return inner.length; }

    /** The same net with unit {@code unit}'s inner width set to {@code width}. */
    public ConvSpec withInner(int unit, int width) {
        int[] w = inner.clone();
        w[unit] = width;
        return new ConvSpec(arch, cifar, classes, this.width, w);
    }

    public ConvSpec withInner(int[] widths) {
        return new ConvSpec(arch, cifar, classes, width, widths);
    }

    /** The unpruned inner widths of this architecture. */
    public int[] denseInner() { return denseInner(arch, cifar, width); }

    /** Block layout: every block of the net in forward order. Units are the blocks with {@code unit >= 0}. */
    public List<Block> blocks() {
        List<Block> out = new ArrayList<>();
        if (arch.isResNet()) {
            int[] depths = arch.stageDepths();
            int in = stem();
            int u = 0;
            for (int s = 0; s < depths.length; s++) {
                int w = scaled(64 << s);
                for (int b = 0; b < depths[s]; b++) {
                    int stride = b == 0 && s > 0 ? 2 : 1;
                    boolean down = stride != 1 || in != w;
                    out.add(new Block("layer" + (s + 1) + "." + b, s, b, in, inner[u], w, stride, 1, down, u));
                    in = w;
                    u++;
                }
            }
        } else {
            int in = stem();
            int index = 1, u = 0;
            for (int[] st : MOBILENET_SETTINGS) {
                int c = divisible(st[1] * width);
                for (int i = 0; i < st[2]; i++) {
                    int stride = i == 0 ? st[3] : 1;
                    if (cifar && index == 2) stride = 1; // the CIFAR form keeps 32x32 through the first 24-channel block
                    int t = st[0];
                    int unit = t == 1 ? -1 : u++;
                    int hidden = t == 1 ? in : inner[unit];
                    out.add(new Block("features." + index, -1, index, in, hidden, c, stride, t, false, unit));
                    in = c;
                    index++;
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Unit names in unit order: {@code layer3.4}, {@code features.6}. */
    public List<String> unitNames() {
        List<String> names = new ArrayList<>();
        for (Block b : blocks()) if (b.unit() >= 0) names.add(b.name());
        return names;
    }

    /** Index of the unit named {@code name}, or a one-line error listing the units. */
    public int unitIndex(String name) {
        List<String> names = unitNames();
        int i = names.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("no block '" + name + "' in " + arch.cliName() + " (units: "
                + String.join(", ", names) + ")");
        return i;
    }

    /** The block of unit {@code unit}. */
    public Block unitBlock(int unit) {
        for (Block b : blocks()) if (b.unit() == unit) return b;
        throw new IllegalArgumentException("no unit " + unit);
    }

    /** Stem output channels. */
    public int stem() {
        return arch.isResNet() ? scaled(64) : divisible(32 * width);
    }

    /** MobileNetV2's last 1x1 conv width. */
    public int lastChannels() {
        return divisible(1280 * Math.max(1.0, width));
    }

    /** Features entering the classifier. */
    public int features() {
        if (arch.isResNet()) return scaled(512);
        return lastChannels();
    }

    int scaled(int c) { return Math.max(1, (int) Math.round(c * width)); }

    /** torchvision's _make_divisible(v, 8): nearest multiple of 8, at least 8, not below 90% of v. */
    static int divisible(double v) {
        int d = 8;
        int nv = Math.max(d, (int) (v + d / 2.0) / d * d);
        if (nv < 0.9 * v) nv += d;
        return nv;
    }

    private static int[] denseInner(Arch arch, boolean cifar, double width) {
        List<Integer> w = new ArrayList<>();
        if (arch.isResNet()) {
            int[] depths = arch.stageDepths();
            for (int s = 0; s < depths.length; s++) {
                for (int b = 0; b < depths[s]; b++) w.add(Math.max(1, (int) Math.round((64 << s) * width)));
            }
        } else {
            int in = divisible(32 * width);
            for (int[] st : MOBILENET_SETTINGS) {
                int c = divisible(st[1] * width);
                for (int i = 0; i < st[2]; i++) {
                    if (st[0] != 1) w.add((int) Math.round(in * (double) st[0]));
                    in = c;
                }
            }
        }
        return w.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvSpec s && s.arch == arch && s.cifar == cifar && s.classes == classes
                && Double.compare(s.width, width) == 0 && Arrays.equals(s.inner, inner);
    }

    @Override
    public int hashCode() {
        return (arch.hashCode() * 31 + Boolean.hashCode(cifar)) * 31 + Arrays.hashCode(inner) + classes;
    }

    @Override
    public String toString() {
        return arch.cliName() + (cifar ? "-cifar" : "") + " x" + width + " classes " + classes + " inner " + Arrays.toString(inner);
    }

    /**
     * One block: a ResNet BasicBlock or a MobileNetV2 inverted residual.
     *
     * @param name       torchvision module path ({@code layer2.0}, {@code features.6})
     * @param stage      ResNet stage (0-based), -1 for MobileNetV2
     * @param index      block index within its stage (ResNet) or features index (MobileNetV2)
     * @param in         input channels
     * @param hidden     inner (ResNet) or expanded (MobileNetV2) channels
     * @param out        output channels
     * @param stride     the block's stride
     * @param expansion  MobileNetV2's t (1 for ResNets)
     * @param downsample ResNet block with a 1x1 downsample on the shortcut
     * @param unit       unit index, or -1 when the block is not prunable
     */
    public record Block(String name, int stage, int index, int in, int hidden, int out, int stride, int expansion,
                        boolean downsample, int unit) {
        /** MobileNetV2: the block adds its input to its output. */
        public boolean residual() { return stride == 1 && in == out; }
    }
}
