package io.ispasp.nn.file;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ispasp.nn.Activation;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.nn.arch.MobileNetV2;
import io.ispasp.nn.arch.ResNet;
import io.ispasp.nn.arch.Vgg;

/**
 * Which architectures a state dict may be, from its names and shapes (and, for an {@code nn.Sequential} MLP, the
 * types of its children): torchvision's ResNets (depth from the blocks per stage and BasicBlock vs Bottleneck, wide
 * from the inner width against the expansion, form from the stem kernel, width from the stem, classes from fc), VGGs
 * (depth from the conv count, BN from the BN tensors, form from the classifier's input), MobileNetV2 (both forms:
 * the stride is not in the shapes) and MLPs. Pruned states fit: the widths are read from tensors no unit narrows.
 * Candidates come in order of likelihood; the caller's forward check decides.
 */
final class Recognizer {
    private static final Pattern RESNET_BLOCK = Pattern.compile("layer([1-4])\\.(\\d+)\\.conv1\\.weight");
    private static final Pattern VGG_CONV = Pattern.compile("features\\.(\\d+)\\.weight");
    private static final Pattern SEQUENTIAL = Pattern.compile("(\\d+)\\.(weight|bias|running_mean|running_var|num_batches_tracked)");

    private Recognizer() {}

    /** One reading of the state. */
    record Candidate(Architecture architecture, String description) {}

    /**
     * A child module of the root (for MLPs): its name, its type's simple name ({@code Linear}, {@code ReLU}, ...;
     * null when it is no {@code torch.nn} module) and the numeric attribute that matters ({@code negative_slope},
     * {@code p}, Hardtanh's {@code min_val} and {@code max_val}; NaN when absent).
     */
    record Child(String name, String type, double a, double b) {}

    static String supported() {
        return "supported: " + String.join(", ", Architectures.names()) + " (torchvision's, any width and class count, pruned or not; mlp = "
                + "nn.Sequential([Flatten,] Linear, [BatchNorm1d,] activation, [Dropout,] ..., Linear) with one of ReLU, ReLU6, "
                + "LeakyReLU, GELU, SiLU, Tanh)";
    }

    /** The candidates, best first; an {@link IllegalArgumentException} naming what could not be placed when none. */
    static List<Candidate> candidates(Map<String, long[]> shapes, List<Child> children, String specText) {
        if (specText != null) {
            Architecture a = Architectures.parse(specText);
            return List.of(new Candidate(a, a.describe() + " (from ispasp_spec)"));
        }
        if (shapes.containsKey("conv1.weight") && shapes.containsKey("fc.weight") && shapes.containsKey("layer1.0.conv1.weight")) {
            return resnet(shapes);
        }
        if (shapes.containsKey("features.0.0.weight") && shapes.containsKey("classifier.1.weight")) return mobilenet(shapes);
        if (shapes.containsKey("features.0.weight") && shapes.containsKey("classifier.0.weight") && shapes.containsKey("classifier.6.weight")) {
            return vgg(shapes);
        }
        if (!shapes.isEmpty() && shapes.keySet().stream().allMatch(k -> SEQUENTIAL.matcher(k).matches())) return mlp(shapes, children);
        String first = shapes.isEmpty() ? null : shapes.keySet().iterator().next();
        throw new IllegalArgumentException("unknown architecture: "
                + (first == null ? "the module has no tensors" : "cannot place module '" + first.substring(0, Math.max(0, first.lastIndexOf('.')))
                + "' (tensor " + first + " " + Arrays.toString(shapes.get(first)) + ")") + "; " + supported());
    }

    private static long[] shape(Map<String, long[]> shapes, String name) {
        long[] s = shapes.get(name);
        if (s == null) throw new IllegalArgumentException("missing tensor '" + name + "'");
        return s;
    }

    private static List<Candidate> resnet(Map<String, long[]> shapes) {
        boolean bottleneck = shapes.keySet().stream().anyMatch(k -> k.matches("layer\\d\\.\\d+\\.conv3\\.weight"));
        int[] blocks = new int[4];
        for (String k : shapes.keySet()) {
            Matcher m = RESNET_BLOCK.matcher(k);
            if (m.matches()) {
                int s = Integer.parseInt(m.group(1)) - 1;
                blocks[s] = Math.max(blocks[s], Integer.parseInt(m.group(2)) + 1);
            }
        }
        int depth = 0;
        for (int d : new int[] {18, 34, 50, 101, 152}) {
            if (Arrays.equals(blocks, stageDepths(d)) && (d >= 50) == bottleneck) depth = d;
        }
        if (depth == 0) {
            throw new IllegalArgumentException("unsupported ResNet: " + Arrays.toString(blocks) + " " + (bottleneck ? "Bottleneck" : "BasicBlock")
                    + " blocks per stage; " + supported());
        }
        long[] stem = shape(shapes, "conv1.weight");
        if (stem.length != 4 || (stem[2] != 3 && stem[2] != 7)) {
            throw new IllegalArgumentException("conv1.weight has shape " + Arrays.toString(stem) + ", expected a 7x7 or 3x3 stem");
        }
        boolean cifar = stem[2] == 3;
        int classes = (int) shape(shapes, "fc.weight")[0];
        // stage widths: the last block's output of each stage (conv2 of a BasicBlock, conv3 of a Bottleneck) is no unit
        Set<Double> widths = new LinkedHashSet<>();
        widths.add(stem[0] / 64.0);
        String last = "layer4." + (blocks[3] - 1) + (bottleneck ? ".conv3.weight" : ".conv2.weight");
        widths.add(shape(shapes, last)[0] / (bottleneck ? 2048.0 : 512.0));
        int wide = 1;
        if (bottleneck) {
            // a Bottleneck's inner width is planes * wide, its output planes * 4; a pruned one is narrower
            for (String k : shapes.keySet()) {
                Matcher m = Pattern.compile("(layer\\d\\.\\d+)\\.conv[12]\\.weight").matcher(k);
                if (m.matches() && shapes.get(k)[0] * 4 > shapes.get(m.group(1) + ".conv3.weight")[0]) wide = 2;
            }
        }
        List<Candidate> out = new ArrayList<>();
        for (double w : widths) {
            ResNet a = new ResNet(depth, wide, cifar, w, classes);
            out.add(new Candidate(a, a.describe()));
        }
        return out;
    }

    private static int[] stageDepths(int depth) {
        return switch (depth) {
            case 18 -> new int[] {2, 2, 2, 2};
            case 34, 50 -> new int[] {3, 4, 6, 3};
            case 101 -> new int[] {3, 4, 23, 3};
            default -> new int[] {3, 8, 36, 3};
        };
    }

    private static List<Candidate> mobilenet(Map<String, long[]> shapes) {
        int classes = (int) shape(shapes, "classifier.1.weight")[0];
        Set<Double> widths = new LinkedHashSet<>();
        if (shapes.containsKey("features.17.conv.2.weight")) widths.add(shapes.get("features.17.conv.2.weight")[0] / 320.0);
        widths.add(shape(shapes, "features.0.0.weight")[0] / 32.0);
        List<Candidate> out = new ArrayList<>();
        for (double w : widths) {
            for (boolean cifar : new boolean[] {false, true}) {
                MobileNetV2 a = new MobileNetV2(cifar, w, classes);
                out.add(new Candidate(a, a.describe()));
            }
        }
        return out;
    }

    private static List<Candidate> vgg(Map<String, long[]> shapes) {
        List<Integer> convs = new ArrayList<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            Matcher m = VGG_CONV.matcher(e.getKey());
            if (m.matches() && e.getValue().length == 4) convs.add(Integer.parseInt(m.group(1)));
        }
        int depth = switch (convs.size()) {
            case 8 -> 11;
            case 10 -> 13;
            case 13 -> 16;
            case 16 -> 19;
            default -> throw new IllegalArgumentException("unsupported VGG: " + convs.size() + " convolutions in features; " + supported());
        };
        boolean bn = shapes.containsKey("features.1.running_mean");
        long[] first = shape(shapes, "features.0.weight");
        long lastChannels = shape(shapes, "features." + convs.get(convs.size() - 1) + ".weight")[0];
        long in = shape(shapes, "classifier.0.weight")[1];
        int classes = (int) shape(shapes, "classifier.6.weight")[0];
        boolean cifar;
        if (in == lastChannels * 49) cifar = false;
        else if (in == lastChannels) cifar = true;
        else {
            throw new IllegalArgumentException("classifier.0.weight takes " + in + " features after " + lastChannels
                    + " channels: neither the ImageNet form (7x7 pool) nor the CIFAR form (1x1 pool)");
        }
        Set<Double> widths = new LinkedHashSet<>();
        widths.add(first[0] / 64.0);
        widths.add(lastChannels / 512.0);
        List<Candidate> out = new ArrayList<>();
        for (double w : widths) {
            Vgg a = new Vgg(depth, bn, cifar, w, classes);
            out.add(new Candidate(a, a.describe()));
        }
        return out;
    }

    /**
     * An {@code nn.Sequential} MLP. With the children's types the layout is read from them and must match
     * {@link Mlp}'s exactly; without (an archive whose classes are not {@code torch.nn}'s), the Linear positions give
     * Flatten, BatchNorm1d and Dropout, and every activation is a candidate.
     */
    private static List<Candidate> mlp(Map<String, long[]> shapes, List<Child> children) {
        TreeMap<Integer, long[]> linears = new TreeMap<>();
        boolean bn = false;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            Matcher m = SEQUENTIAL.matcher(e.getKey());
            if (!m.matches()) continue;
            if (m.group(2).equals("running_mean")) bn = true;
            if (m.group(2).equals("weight") && e.getValue().length == 2) linears.put(Integer.parseInt(m.group(1)), e.getValue());
        }
        if (linears.isEmpty()) throw new IllegalArgumentException("an nn.Sequential without Linear layers; " + supported());
        int[] sizes = new int[linears.size() + 1];
        int l = 0;
        for (long[] w : linears.values()) {
            if (l == 0) sizes[0] = (int) w[1];
            sizes[++l] = (int) w[0];
        }
        // a pruned MLP is a dense one of its own widths; Network.fromState checks that the layers chain
        boolean typed = children != null && !children.isEmpty() && children.stream().allMatch(c -> c.type() != null);
        if (typed) return List.of(typedMlp(sizes, children));
        List<Integer> idx = new ArrayList<>(linears.keySet());
        boolean flatten = idx.get(0) == 1;
        int spacing = idx.size() > 1 ? idx.get(1) - idx.get(0) : 2 + (bn ? 1 : 0);
        int dropouts = spacing - 2 - (bn ? 1 : 0);
        if (idx.get(0) > 1 || dropouts < 0 || dropouts > 1) {
            throw new IllegalArgumentException("nn.Sequential with Linear layers at children " + idx + ": cannot place module "
                    + (idx.get(0) > 1 ? "0" : String.valueOf(idx.get(0) + 1)) + "; " + supported());
        }
        List<Candidate> out = new ArrayList<>();
        for (Activation a : new Activation[] {Activation.RELU, Activation.GELU, Activation.TANH, Activation.SILU, Activation.RELU6,
                Activation.LEAKY_RELU}) {
            Mlp m = new Mlp(sizes, a, 0.01, bn, dropouts == 1 ? 0.5 : 0, flatten);
            out.add(new Candidate(m, m.describe() + (dropouts == 1 ? " (dropout probability unknown)" : "")));
        }
        return out;
    }

    private static Candidate typedMlp(int[] sizes, List<Child> children) {
        boolean flatten = children.get(0).type().equals("Flatten");
        boolean bn = false;
        double dropout = 0;
        Activation act = null;
        double slope = 0.01;
        int first = flatten ? 1 : 0;
        // the pattern of the first hidden layer: Linear [BatchNorm1d] activation [Dropout]
        if (children.size() > first + 1) {
            int i = first + 1;
            if (children.get(i).type().equals("BatchNorm1d")) { bn = true; i++; }
            if (i < children.size()) {
                Child c = children.get(i);
                act = activation(c);
                if (act == Activation.LEAKY_RELU) slope = c.a();
                if (i + 1 < children.size() && children.get(i + 1).type().equals("Dropout")) dropout = children.get(i + 1).a();
            }
        }
        Mlp m = new Mlp(sizes, act == null ? Activation.RELU : act, slope, bn, dropout, flatten);
        List<String> expected = layout(m);
        for (int i = 0; i < Math.max(expected.size(), children.size()); i++) {
            Child c = i < children.size() ? children.get(i) : null;
            String want = i < expected.size() ? expected.get(i) : null;
            if (c == null) throw new IllegalArgumentException("nn.Sequential ends after module " + (i - 1) + ", expected " + want + "; " + supported());
            String got = c.type();
            Activation a = activation(c);
            boolean same = want != null && (a != null ? want.equals(m.activation().name()) && a == m.activation()
                    && (a != Activation.LEAKY_RELU || c.a() == m.slope())
                    : got.equals(want) && (!got.equals("Dropout") || c.a() == m.dropout()));
            if (!same) {
                throw new IllegalArgumentException("cannot place module " + c.name() + " (" + got + describeAttr(c) + ") of the nn.Sequential"
                        + (want == null ? "" : ", expected " + want) + "; " + supported());
            }
        }
        return new Candidate(m, m.describe());
    }

    private static String describeAttr(Child c) {
        if (Double.isNaN(c.a())) return "";
        return String.format(Locale.ROOT, " %s", Double.isNaN(c.b()) ? Double.toString(c.a()) : c.a() + ", " + c.b());
    }

    /** Module types of {@code m}'s Sequential in order; activations by {@link Activation#name()}. */
    private static List<String> layout(Mlp m) {
        List<String> t = new ArrayList<>();
        if (m.flatten()) t.add("Flatten");
        int layers = m.sizes().length - 1;
        for (int l = 0; l < layers; l++) {
            t.add("Linear");
            if (l + 1 == layers) break;
            if (m.batchNorm()) t.add("BatchNorm1d");
            t.add(m.activation().name());
            if (m.dropout() > 0) t.add("Dropout");
        }
        return t;
    }

    /** The activation a child module is, or null. */
    static Activation activation(Child c) {
        return switch (c.type()) {
            case "ReLU" -> Activation.RELU;
            case "ReLU6" -> Activation.RELU6;
            case "Hardtanh" -> c.a() == 0 && c.b() == 6 ? Activation.RELU6 : null;
            case "LeakyReLU" -> Activation.LEAKY_RELU;
            case "GELU" -> Double.isNaN(c.a()) ? Activation.GELU : null; // a = 1 marks approximate='tanh'
            case "SiLU" -> Activation.SILU;
            case "Tanh" -> Activation.TANH;
            default -> null;
        };
    }
}
