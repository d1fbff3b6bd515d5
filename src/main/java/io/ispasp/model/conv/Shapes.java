package io.ispasp.model.conv;

import java.util.LinkedHashMap;

/** The name and shape of every parameter and buffer of a {@link ConvSpec}, in torchvision's state-dict order. */
public final class Shapes {
    private final LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();

    private Shapes() {}

    public static LinkedHashMap<String, long[]> of(ConvSpec spec) {
        Shapes s = new Shapes();
        if (spec.arch().isResNet()) {
            s.conv("conv1.weight", spec.stem(), 3, spec.cifar() ? 3 : 7);
            s.bn("bn1", spec.stem());
            for (ConvSpec.Block b : spec.blocks()) {
                String p = b.name() + ".";
                s.conv(p + "conv1.weight", b.hidden(), b.in(), 3);
                s.bn(p + "bn1", b.hidden());
                s.conv(p + "conv2.weight", b.out(), b.hidden(), 3);
                s.bn(p + "bn2", b.out());
                if (b.downsample()) {
                    s.conv(p + "downsample.0.weight", b.out(), b.in(), 1);
                    s.bn(p + "downsample.1", b.out());
                }
            }
            s.shapes.put("fc.weight", new long[] {spec.classes(), spec.features()});
            s.shapes.put("fc.bias", new long[] {spec.classes()});
        } else {
            s.conv("features.0.0.weight", spec.stem(), 3, 3);
            s.bn("features.0.1", spec.stem());
            int last = 0;
            for (ConvSpec.Block b : spec.blocks()) {
                String p = b.name() + ".conv.";
                int i = 0;
                if (b.expansion() != 1) {
                    s.conv(p + "0.0.weight", b.hidden(), b.in(), 1);
                    s.bn(p + "0.1", b.hidden());
                    i = 1;
                }
                s.conv(p + i + ".0.weight", b.hidden(), 1, 3);
                s.bn(p + i + ".1", b.hidden());
                s.conv(p + (i + 1) + ".weight", b.out(), b.hidden(), 1);
                s.bn(p + (i + 2), b.out());
                last = b.out();
            }
            String f = "features." + (spec.blocks().size() + 1);
            s.conv(f + ".0.weight", spec.lastChannels(), last, 1);
            s.bn(f + ".1", spec.lastChannels());
            s.shapes.put("classifier.1.weight", new long[] {spec.classes(), spec.features()});
            s.shapes.put("classifier.1.bias", new long[] {spec.classes()});
        }
        return s.shapes;
    }

    private void conv(String name, int out, int in, int k) {
        shapes.put(name, new long[] {out, in, k, k});
    }

    private void bn(String prefix, int c) {
        shapes.put(prefix + ".weight", new long[] {c});
        shapes.put(prefix + ".bias", new long[] {c});
        shapes.put(prefix + ".running_mean", new long[] {c});
        shapes.put(prefix + ".running_var", new long[] {c});
        shapes.put(prefix + ".num_batches_tracked", new long[0]);
    }
}
