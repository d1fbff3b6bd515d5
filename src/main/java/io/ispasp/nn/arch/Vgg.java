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
 * torchvision's vgg11/13/16/19, with ({@code _bn}) or without BatchNorm. The ImageNet form is torchvision's (a 7x7
 * adaptive average pool and a 4096-wide classifier); the CIFAR form pools to 1x1 and has a classifier of width
 * {@code max(1, round(512 * width))}. Convs keep their bias, as in torchvision.
 * <p>Units: every conv (+BN) + ReLU that feeds the next conv directly ({@code features.N}, named by the conv's index;
 * where a max-pool sits in between, B would not be linear in H, so there is no unit), and the two hidden Linear
 * layers of the classifier ({@code classifier.0}, {@code classifier.3}; the dropout after the ReLU is the identity
 * in eval mode).
 */
public record Vgg(int depth, boolean batchNorm, boolean cifar, double width, int classes) implements Architecture {
    private static final int M = -1; // a max-pool in the configuration

    public Vgg {
        if (config(depth) == null) throw new IllegalArgumentException("no VGG of depth " + depth + " (11, 13, 16, 19)");
        Widths.check(width, classes);
    }

    static final List<String> NAMES = List.of("vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn");

    static Vgg named(String name, boolean cifar, double width, int classes) {
        return new Vgg(Integer.parseInt(name.replaceAll("^vgg|_bn$", "")), name.endsWith("_bn"), cifar, width, classes);
    }

    private static int[] config(int depth) {
        return switch (depth) {
            case 11 -> new int[] {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
            case 13 -> new int[] {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
            case 16 -> new int[] {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
            case 19 -> new int[] {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M};
            default -> null;
        };
    }

    @Override
    public String name() { return "vgg" + depth + (batchNorm ? "_bn" : ""); }

    @Override
    public String describe() {
        return name() + " form=" + (cifar ? "cifar" : "imagenet") + " width=" + Description.format(width) + " classes=" + classes;
    }

    @Override
    public Architecture withClasses(int classes) { return new Vgg(depth, batchNorm, cifar, width, classes); }

    @Override
    public long[] inputShape(int size) { return new long[] {3, size, size}; }

    @Override
    public int nativeInput() { return cifar ? 32 : 224; }

    private int pool() { return cifar ? 1 : 7; }

    private int hiddenFeatures() { return cifar ? Widths.scaled(512, width) : 4096; }

    @Override
    public Blueprint blueprint() {
        Blueprint.Builder b = new Blueprint.Builder();
        int[] cfg = config(depth);
        int in = 3, index = 0;
        // each conv: {conv index, op index of the conv, op index of its ReLU, width}
        List<int[]> convs = new ArrayList<>();
        List<Boolean> poolAfter = new ArrayList<>();
        for (int v : cfg) {
            if (v == M) {
                b.op(new Op.MaxPool("x", "x", 2, 2, 0));
                poolAfter.set(poolAfter.size() - 1, true);
                index++;
                continue;
            }
            int c = Widths.scaled(v, width);
            int convOp = b.next();
            b.conv("x", "x", "features." + index, in, c, 3, 1, 1, false, true);
            if (batchNorm) b.batchNorm("x", "x", "features." + (index + 1), c);
            int act = b.next();
            b.op(new Op.Act("x", "x", Activation.RELU));
            convs.add(new int[] {index, convOp, act, c});
            poolAfter.add(false);
            index += batchNorm ? 3 : 2;
            in = c;
        }
        for (int i = 0; i + 1 < convs.size(); i++) {
            if (poolAfter.get(i)) continue;
            int[] a = convs.get(i), next = convs.get(i + 1);
            String conv = "features." + a[0];
            String hidden = batchNorm ? "features." + (a[0] + 1) : conv;
            List<UnitSpec.Coupled> c = new ArrayList<>(Blueprint.layer(b, conv, 0));
            if (batchNorm) c.addAll(Blueprint.layer(b, hidden, 0));
            c.add(new UnitSpec.Coupled("features." + next[0] + ".weight", 1));
            b.unit(new UnitSpec(conv, hidden, "x", a[1], a[2], next[1], batchNorm ? "features." + (next[0] + 1) : null, c, -1, false));
        }
        b.op(new Op.AvgPool("x", "x", pool())).op(new Op.Flatten("x", "x"));
        int f = hiddenFeatures();
        int[] starts = new int[2], acts = new int[2], linears = new int[3];
        int fin = in * pool() * pool();
        for (int l = 0; l < 3; l++) {
            linears[l] = b.next();
            b.linear("x", "x", "classifier." + 3 * l, l == 0 ? fin : f, l == 2 ? classes : f, true);
            if (l < 2) {
                starts[l] = linears[l];
                acts[l] = b.next();
                b.op(new Op.Act("x", "x", Activation.RELU)).op(new Op.Dropout("x", "x", 0.5));
            }
        }
        for (int l = 0; l < 2; l++) {
            String m = "classifier." + 3 * l;
            List<UnitSpec.Coupled> c = new ArrayList<>(Blueprint.layer(b, m, 0));
            c.add(new UnitSpec.Coupled("classifier." + 3 * (l + 1) + ".weight", 1));
            b.unit(new UnitSpec(m, m, "x", starts[l], acts[l], linears[l + 1], null, c, -1, false));
        }
        return b.build("x");
    }

    /** The authors give no VGG layout. */
    @Override
    public double[] referenceRatios() { return null; }

    @Override
    public float[] initial(String name, long[] shape, Random rnd) {
        if (name.startsWith("classifier.")) return Init.normal(shape, shape.length == 2 ? 0.01 : 0, rnd);
        if (shape.length == 4) return Init.kaimingFanOut(shape, rnd);
        if (!batchNorm || isConvBias(name)) return new float[(int) Init.count(shape)];
        return Init.batchNorm(name, shape);
    }

    /** A conv bias: features.N.bias where N is a conv (the BN after it has the next index). */
    private boolean isConvBias(String name) {
        if (!name.endsWith(".bias")) return false;
        int n = Integer.parseInt(name.split("\\.")[1]);
        int index = 0;
        for (int v : config(depth)) {
            if (v == M) { index++; continue; }
            if (index == n) return true;
            index += batchNorm ? 3 : 2;
        }
        return false;
    }
}
