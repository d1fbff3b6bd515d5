package io.ispasp.nn.arch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.ispasp.nn.Architecture;

/**
 * The registry of families: every architecture the engine knows by name, and the parser of their text form
 * ({@link Architecture#describe()}).
 */
public final class Architectures {
    private Architectures() {}

    /** The image models by torchvision name, then {@code mlp}. */
    public static List<String> names() {
        List<String> n = new ArrayList<>(ResNet.NAMES);
        n.add("mobilenet_v2");
        n.addAll(Vgg.NAMES);
        n.add("mlp");
        return n;
    }

    /** An image model by name ({@code resnet50}, {@code vgg16_bn}, {@code mobilenet_v2}; {@code mobilenetv2} too). */
    public static Architecture image(String name, boolean cifar, double width, int classes) {
        String n = name.toLowerCase(Locale.ROOT);
        if (ResNet.NAMES.contains(n)) return ResNet.named(n, cifar, width, classes);
        if (Vgg.NAMES.contains(n)) return Vgg.named(n, cifar, width, classes);
        if (n.equals("mobilenet_v2") || n.equals("mobilenetv2")) return new MobileNetV2(cifar, width, classes);
        throw new IllegalArgumentException("unknown architecture '" + name + "' (known: " + String.join(", ", names()) + ")");
    }

    /** Reads the text form {@code NAME key=value ...} back into an architecture. */
    public static Architecture parse(String text) {
        Description d = Description.parse(text);
        if (d.name.equals("mlp")) return Mlp.parse(d);
        if (d.name.equals("bert")) return Bert.parse(d);
        return image(d.name, d.cifar(), d.number("width", 1.0), d.integer("classes", 1000));
    }
}
