package io.ispasp.nn.arch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.ispasp.nn.Activation;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Blueprint;
import io.ispasp.nn.Init;
import io.ispasp.nn.Op;
import io.ispasp.nn.UnitSpec;

/**
 * torchvision's ResNets: resnet18/34 (BasicBlocks), resnet50/101/152 (Bottlenecks, stride on the 3x3 conv as in
 * torchvision's V1.5) and wide_resnet50_2/101_2 (Bottlenecks with twice the inner width). The ImageNet form has the
 * 7x7/2 stem and max-pool; the CIFAR form a 3x3 stride-1 stem and no max-pool. Stage widths are
 * {@code max(1, round(64 * 2^s * width))}.
 * <p>Units: a BasicBlock has one, {@code layer1.0} (A = conv1 + bn1 + ReLU, B = conv2 + bn2 before the residual
 * add). A Bottleneck has two, pruned in order: {@code layer1.0.conv1} (A = conv1 + bn1 + ReLU, B = the 3x3 conv2 +
 * bn2, strided in the first block of stages 2-4) and {@code layer1.0.conv2} (A = conv1 .. ReLU after bn2, from the
 * block input, B = the 1x1 conv3 + bn3).
 */
public record ResNet(int depth, int wide, boolean cifar, double width, int classes) implements Architecture {
    static final List<String> NAMES = List.of("resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
            "wide_resnet50_2", "wide_resnet101_2");

    public ResNet {
        if (stageDepths(depth) == null) throw new IllegalArgumentException("no ResNet of depth " + depth + " (18, 34, 50, 101, 152)");
        if (wide != 1 && wide != 2) throw new IllegalArgumentException("wide must be 1 or 2, got " + wide);
        if (wide == 2 && depth < 50) throw new IllegalArgumentException("wide ResNets have Bottleneck blocks (depth 50 or 101)");
        Widths.check(width, classes);
    }

    /** By torchvision name ({@code resnet50}, {@code wide_resnet50_2}). */
    static ResNet named(String name, boolean cifar, double width, int classes) {
        boolean w = name.startsWith("wide_resnet");
        String digits = name.replaceAll("^wide_resnet|^resnet|_2$", "");
        return new ResNet(Integer.parseInt(digits), w ? 2 : 1, cifar, width, classes);
    }

    static int[] stageDepths(int depth) {
        return switch (depth) {
            case 18 -> new int[] {2, 2, 2, 2};
            case 34, 50 -> new int[] {3, 4, 6, 3};
            case 101 -> new int[] {3, 4, 23, 3};
            case 152 -> new int[] {3, 8, 36, 3};
            default -> null;
        };
    }

    public boolean bottleneck() { return depth >= 50; }

    @Override
    public String name() { return (wide == 2 ? "wide_resnet" : "resnet") + depth + (wide == 2 ? "_2" : ""); }

    @Override
    public String describe() {
        return name() + " form=" + (cifar ? "cifar" : "imagenet") + " width=" + Description.format(width) + " classes=" + classes;
    }

    @Override
    public Architecture withClasses(int classes) { return new ResNet(depth, wide, cifar, width, classes); }

    @Override
    public long[] inputShape(int size) { return new long[] {3, size, size}; }

    @Override
    public int nativeInput() { return cifar ? 32 : 224; }

    @Override
    public Blueprint blueprint() {
        Blueprint.Builder b = new Blueprint.Builder();
        int stem = Widths.scaled(64, width);
        if (cifar) b.conv("x", "x", "conv1", 3, stem, 3, 1, 1, false, false);
        else b.conv("x", "x", "conv1", 3, stem, 7, 2, 3, false, false);
        b.batchNorm("x", "x", "bn1", stem).op(new Op.Act("x", "x", Activation.RELU));
        if (!cifar) b.op(new Op.MaxPool("x", "x", 3, 2, 1));
        int[] depths = stageDepths(depth);
        int in = stem;
        for (int s = 0; s < depths.length; s++) {
            int planes = Widths.scaled(64 << s, width);
            for (int i = 0; i < depths[s]; i++) {
                int stride = i == 0 && s > 0 ? 2 : 1;
                String p = "layer" + (s + 1) + "." + i;
                boolean inner = i >= 1 && i <= depths[s] - 2;
                in = bottleneck() ? bottleneck(b, p, in, planes, stride, s, inner) : basic(b, p, in, planes, stride, s, inner);
            }
        }
        b.op(new Op.AvgPool("x", "x", 1)).op(new Op.Flatten("x", "x"));
        b.linear("x", "x", "fc", in, classes, true);
        return b.build("x");
    }

    private static int basic(Blueprint.Builder b, String p, int in, int planes, int stride, int stage, boolean inner) {
        int start = b.next();
        b.conv("h", "x", p + ".conv1", in, planes, 3, stride, 1, false, false).batchNorm("h", "h", p + ".bn1", planes);
        int hidden = b.next();
        b.op(new Op.Act("h", "h", Activation.RELU));
        int bOp = b.next();
        b.conv("h", "h", p + ".conv2", planes, planes, 3, 1, 1, false, false).batchNorm("h", "h", p + ".bn2", planes);
        b.unit(new UnitSpec(p, p + ".bn1", "x", start, hidden, bOp, p + ".bn2", coupled(b, p, 1, 2), stage, inner));
        shortcut(b, p, in, planes, stride);
        return planes;
    }

    private int bottleneck(Blueprint.Builder b, String p, int in, int planes, int stride, int stage, boolean inner) {
        int mid = planes * wide;
        int out = planes * 4;
        int start = b.next();
        b.conv("h", "x", p + ".conv1", in, mid, 1, 1, 0, false, false).batchNorm("h", "h", p + ".bn1", mid);
        int hidden1 = b.next();
        b.op(new Op.Act("h", "h", Activation.RELU));
        int b1 = b.next();
        b.conv("h", "h", p + ".conv2", mid, mid, 3, stride, 1, false, false).batchNorm("h", "h", p + ".bn2", mid);
        int hidden2 = b.next();
        b.op(new Op.Act("h", "h", Activation.RELU));
        int b2 = b.next();
        b.conv("h", "h", p + ".conv3", mid, out, 1, 1, 0, false, false).batchNorm("h", "h", p + ".bn3", out);
        b.unit(new UnitSpec(p + ".conv1", p + ".bn1", "x", start, hidden1, b1, p + ".bn2", coupled(b, p, 1, 2), stage, inner));
        // A of the second unit runs from the block input: the shortcut needs it, and X must be the one live register
        b.unit(new UnitSpec(p + ".conv2", p + ".bn2", "x", start, hidden2, b2, p + ".bn3", coupled(b, p, 2, 3), stage, inner));
        shortcut(b, p, in, out, stride);
        return out;
    }

    /** convI's filters and bnI (the groups), and conv(I+1)'s input channels, of block {@code p}. */
    private static List<UnitSpec.Coupled> coupled(Blueprint.Builder b, String p, int i, int next) {
        List<UnitSpec.Coupled> c = new ArrayList<>(Blueprint.layer(b, p + ".conv" + i, 0));
        c.addAll(Blueprint.layer(b, p + ".bn" + i, 0));
        c.add(new UnitSpec.Coupled(p + ".conv" + next + ".weight", 1));
        return c;
    }

    private static void shortcut(Blueprint.Builder b, String p, int in, int out, int stride) {
        if (stride != 1 || in != out) {
            b.conv("x", "x", p + ".downsample.0", in, out, 1, stride, 0, false, false).batchNorm("x", "x", p + ".downsample.1", out);
        }
        b.op(new Op.Add("x", "h", "x")).op(new Op.Act("x", "x", Activation.RELU));
    }

    /** The authors' layout: stages 0.4/0.4/0.4/1.0 on blocks 1..n-2 of each stage. */
    @Override
    public double[] referenceRatios() { return stageRatios(new double[] {0.4, 0.4, 0.4, 1.0}, false); }

    /** Per-stage ratios on the inner blocks of each stage, or on every block. */
    public double[] stageRatios(double[] stages, boolean allBlocks) {
        if (stages.length != 4) throw new IllegalArgumentException("a stage layout needs 4 ratios, got " + stages.length);
        List<UnitSpec> units = blueprint().units();
        double[] r = new double[units.size()];
        Arrays.fill(r, 1.0);
        for (int u = 0; u < r.length; u++) {
            if (allBlocks || units.get(u).inner()) r[u] = stages[units.get(u).stage()];
        }
        return r;
    }

    @Override
    public float[] initial(String name, long[] shape, Random rnd) {
        if (name.startsWith("fc.")) return Init.uniformFanIn(shape, Widths.scaled(512, width) * (bottleneck() ? 4L : 1L), rnd);
        if (shape.length == 4) return Init.kaimingFanOut(shape, rnd);
        return Init.batchNorm(name, shape);
    }
}
