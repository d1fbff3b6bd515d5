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
 * torchvision's mobilenet_v2. Channel widths follow {@code _make_divisible(c * width, 8)}. The CIFAR form keeps
 * stride 1 in the stem and in the first 24-channel block (features.2), so a 32x32 input ends on a 4x4 map.
 * <p>Units: every inverted residual with an expansion, {@code features.2} .. {@code features.17}: A = expand conv +
 * BN + ReLU6 + depthwise conv + BN + ReLU6 (the groups are the expanded channels, and the depthwise filters go with
 * them), B = the 1x1 projection + BN, before the residual add.
 */
public record MobileNetV2(boolean cifar, double width, int classes) implements Architecture {
    /** Inverted-residual settings: expansion t, output channels c, repeats n, first stride s. */
    private static final int[][] SETTINGS = {
            {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

    public MobileNetV2 {
        Widths.check(width, classes);
    }

    @Override
    public String name() { return "mobilenet_v2"; }

    @Override
    public String describe() {
        return "mobilenet_v2 form=" + (cifar ? "cifar" : "imagenet") + " width=" + Description.format(width) + " classes=" + classes;
    }

    @Override
    public Architecture withClasses(int classes) { return new MobileNetV2(cifar, width, classes); }

    @Override
    public long[] inputShape(int size) { return new long[] {3, size, size}; }

    @Override
    public int nativeInput() { return cifar ? 32 : 224; }

    private int lastChannels() { return Widths.divisible(1280 * Math.max(1.0, width)); }

    @Override
    public Blueprint blueprint() {
        Blueprint.Builder b = new Blueprint.Builder();
        int in = Widths.divisible(32 * width);
        b.conv("x", "x", "features.0.0", 3, in, 3, cifar ? 1 : 2, 1, false, false).batchNorm("x", "x", "features.0.1", in);
        b.op(new Op.Act("x", "x", Activation.RELU6));
        int index = 1;
        for (int[] st : SETTINGS) {
            int c = Widths.divisible(st[1] * width);
            for (int i = 0; i < st[2]; i++) {
                int stride = i == 0 ? st[3] : 1;
                if (cifar && index == 2) stride = 1;
                block(b, "features." + index, in, c, st[0], stride);
                in = c;
                index++;
            }
        }
        String last = "features." + index;
        b.conv("x", "x", last + ".0", in, lastChannels(), 1, 1, 0, false, false).batchNorm("x", "x", last + ".1", lastChannels());
        b.op(new Op.Act("x", "x", Activation.RELU6)).op(new Op.AvgPool("x", "x", 1)).op(new Op.Flatten("x", "x"));
        b.op(new Op.Dropout("x", "x", 0.2)).linear("x", "x", "classifier.1", lastChannels(), classes, true);
        return b.build("x");
    }

    private static void block(Blueprint.Builder b, String name, int in, int out, int t, int stride) {
        String p = name + ".conv.";
        int hidden = (int) Math.round(in * (double) t);
        int start = b.next();
        String src = "x";
        int dw = 0;
        if (t != 1) {
            b.conv("h", "x", p + "0.0", in, hidden, 1, 1, 0, false, false).batchNorm("h", "h", p + "0.1", hidden);
            b.op(new Op.Act("h", "h", Activation.RELU6));
            src = "h";
            dw = 1;
        }
        b.conv("h", src, p + dw + ".0", hidden, hidden, 3, stride, 1, true, false).batchNorm("h", "h", p + dw + ".1", hidden);
        int hiddenOp = b.next();
        b.op(new Op.Act("h", "h", Activation.RELU6));
        int bOp = b.next();
        boolean residual = stride == 1 && in == out;
        String proj = p + (dw + 1);
        String bn = p + (dw + 2);
        b.conv("h", "h", proj, hidden, out, 1, 1, 0, false, false).batchNorm(residual ? "h" : "x", "h", bn, out);
        if (residual) b.op(new Op.Add("x", "x", "h"));
        if (t != 1) {
            List<UnitSpec.Coupled> c = new ArrayList<>(Blueprint.layer(b, p + "0.0", 0));
            c.addAll(Blueprint.layer(b, p + "0.1", 0));
            c.addAll(Blueprint.layer(b, p + "1.0", 0));
            c.addAll(Blueprint.layer(b, p + "1.1", 0));
            c.add(new UnitSpec.Coupled(proj + ".weight", 1));
            b.unit(new UnitSpec(name, p + "1.1", "x", start, hiddenOp, bOp, bn, c, -1, false));
        }
    }

    /** The authors' layout: 0.3 on features 6, 9, 10, 12 and 13. */
    @Override
    public double[] referenceRatios() {
        List<UnitSpec> units = blueprint().units();
        double[] r = new double[units.size()];
        Arrays.fill(r, 1.0);
        for (int f : new int[] {6, 9, 10, 12, 13}) {
            for (int u = 0; u < r.length; u++) if (units.get(u).name().equals("features." + f)) r[u] = 0.3;
        }
        return r;
    }

    @Override
    public float[] initial(String name, long[] shape, Random rnd) {
        if (name.startsWith("classifier.")) return Init.normal(shape, shape.length == 2 ? 0.01 : 0, rnd);
        if (shape.length == 4) return Init.kaimingFanOut(shape, rnd);
        return Init.batchNorm(name, shape);
    }
}
