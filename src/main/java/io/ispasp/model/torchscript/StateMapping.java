package io.ispasp.model.torchscript;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ispasp.engine.Tensors;
import io.ispasp.model.LoadedModel;
import io.ispasp.model.Mlp;
import io.ispasp.model.conv.Arch;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import org.bytedeco.pytorch.Tensor;

/**
 * Which engine model a state dict describes, from its names and shapes: torchvision's ResNet18/34 (BasicBlocks;
 * block counts per stage tell 18 from 34), MobileNetV2, or an {@code nn.Sequential} of Linear and ReLU. Widths,
 * classes and the pruned inner widths come from the shapes; the ImageNet or CIFAR form from the stem kernel
 * (ResNets) or, for MobileNetV2, whose weights look the same in both forms, from the {@code ispasp_spec} attribute
 * when present, else both forms are candidates and the forward check picks.
 */
final class StateMapping {
    static final String SUPPORTED = "supported: torchvision resnet18, resnet34 and mobilenet_v2 (any width and class count, "
            + "pruned or not) and nn.Sequential([Flatten,] Linear, ReLU, ..., Linear)";
    private static final Pattern RESNET_BLOCK = Pattern.compile("layer([1-4])\\.(\\d+)\\.conv1\\.weight");
    private static final Pattern SEQUENTIAL = Pattern.compile("(\\d+)\\.(weight|bias)");

    private StateMapping() {}

    /** One reading of the state: a description for messages and a builder of the engine model. */
    interface Candidate {
        String description();

        LoadedModel build(Map<String, Tensor> state);
    }

    static List<Candidate> candidates(Map<String, Tensor> state, String specText, Path file) {
        SpecText given = specText == null ? null : SpecText.parse(specText);
        if (state.containsKey("conv1.weight") && state.containsKey("fc.weight")) return resnet(state, given);
        if (state.containsKey("features.0.0.weight") && state.containsKey("classifier.1.weight")) return mobilenet(state, given);
        if (!state.isEmpty() && state.keySet().stream().allMatch(k -> SEQUENTIAL.matcher(k).matches())) return List.of(mlp(state));
        List<String> names = new ArrayList<>(state.keySet());
        String shown = String.join(", ", names.subList(0, Math.min(4, names.size()))) + (names.size() > 4 ? ", ..." : "");
        throw new IllegalArgumentException("unknown architecture (tensors: " + (names.isEmpty() ? "none" : shown) + "); " + SUPPORTED);
    }

    private static List<Candidate> resnet(Map<String, Tensor> state, SpecText given) {
        if (state.keySet().stream().anyMatch(k -> k.contains(".conv3."))) {
            throw new IllegalArgumentException("unsupported architecture: a ResNet with Bottleneck blocks (resnet50 or deeper); " + SUPPORTED);
        }
        int[] depths = new int[4];
        for (String k : state.keySet()) {
            Matcher m = RESNET_BLOCK.matcher(k);
            if (m.matches()) {
                int s = Integer.parseInt(m.group(1)) - 1;
                depths[s] = Math.max(depths[s], Integer.parseInt(m.group(2)) + 1);
            }
        }
        Arch arch = null;
        for (Arch a : new Arch[] {Arch.RESNET18, Arch.RESNET34}) {
            if (java.util.Arrays.equals(depths, a == Arch.RESNET18 ? new int[] {2, 2, 2, 2} : new int[] {3, 4, 6, 3})) arch = a;
        }
        if (arch == null) {
            throw new IllegalArgumentException("unsupported architecture: a ResNet with " + java.util.Arrays.toString(depths)
                    + " BasicBlocks per stage; " + SUPPORTED);
        }
        long[] stem = shape(state, "conv1.weight");
        if (stem.length != 4 || (stem[2] != 3 && stem[2] != 7)) {
            throw new IllegalArgumentException("conv1.weight has shape " + java.util.Arrays.toString(stem) + ", expected a 7x7 or 3x3 stem");
        }
        boolean cifar = given != null && given.cifar() != null ? given.cifar() : stem[2] == 3;
        double width = given != null && given.width() != null ? given.width() : stem[0] / 64.0;
        int classes = (int) shape(state, "fc.weight")[0];
        ConvSpec dense = ConvSpec.dense(arch, cifar, classes, width);
        List<String> units = dense.unitNames();
        int[] inner = new int[units.size()];
        for (int u = 0; u < inner.length; u++) inner[u] = (int) shape(state, units.get(u) + ".conv1.weight")[0];
        return List.of(conv(dense.withInner(inner)));
    }

    private static List<Candidate> mobilenet(Map<String, Tensor> state, SpecText given) {
        double width = given != null && given.width() != null ? given.width() : shape(state, "features.0.0.weight")[0] / 32.0;
        int classes = (int) shape(state, "classifier.1.weight")[0];
        List<Candidate> out = new ArrayList<>();
        for (boolean cifar : new boolean[] {false, true}) {
            if (given != null && given.cifar() != null && given.cifar() != cifar) continue;
            ConvSpec dense = ConvSpec.dense(Arch.MOBILENETV2, cifar, classes, width);
            List<String> units = dense.unitNames();
            int[] inner = new int[units.size()];
            for (int u = 0; u < inner.length; u++) inner[u] = (int) shape(state, units.get(u) + ".conv.0.0.weight")[0];
            out.add(conv(dense.withInner(inner)));
        }
        return out;
    }

    private static Candidate conv(ConvSpec spec) {
        return new Candidate() {
            @Override
            public String description() { return spec.arch().cliName() + " (" + (spec.cifar() ? "CIFAR" : "ImageNet") + " form)"; }

            @Override
            public LoadedModel build(Map<String, Tensor> state) { return LoadedModel.of(ConvNet.fromState(spec, state)); }
        };
    }

    /**
     * Linear {@code l} must be child {@code first + 2l}: the ReLUs in between hold no tensors, and {@code first} = 1
     * when a parameter-free module (an nn.Flatten) comes first. The forward check confirms the reading.
     */
    private static Candidate mlp(Map<String, Tensor> state) {
        TreeMap<Integer, Tensor> weights = new TreeMap<>(), biases = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Matcher m = SEQUENTIAL.matcher(e.getKey());
            if (!m.matches()) continue;
            (m.group(2).equals("weight") ? weights : biases).put(Integer.parseInt(m.group(1)), e.getValue());
        }
        int layers = weights.size();
        int first = weights.isEmpty() ? 0 : Math.min(weights.firstKey(), 1);
        int[] sizes = new int[layers + 1];
        List<float[]> w = new ArrayList<>(), b = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            Tensor wl = weights.get(first + 2 * l), bl = biases.get(first + 2 * l);
            if (wl == null || bl == null || wl.dim() != 2 || bl.dim() != 1 || !weights.keySet().equals(biases.keySet())) {
                throw new IllegalArgumentException("unsupported layout: expected nn.Sequential([Flatten,] Linear, ReLU, ..., Linear) with "
                        + "a weight and bias at children 0, 2, 4, ... or 1, 3, 5, ... (children with tensors: " + weights.keySet() + "); " + SUPPORTED);
            }
            long[] s = wl.shape();
            if (l == 0) sizes[0] = (int) s[1];
            else if (s[1] != sizes[l]) throw new IllegalArgumentException((first + 2 * l) + ".weight has " + s[1] + " inputs, layer before has " + sizes[l] + " outputs");
            sizes[l + 1] = (int) s[0];
            w.add(Tensors.floats(wl.to(org.bytedeco.pytorch.global.torch.ScalarType.Float).contiguous()));
            b.add(Tensors.floats(bl.to(org.bytedeco.pytorch.global.torch.ScalarType.Float).contiguous()));
        }
        Mlp model = new Mlp(sizes, w, b, first);
        return new Candidate() {
            @Override
            public String description() { return "nn.Sequential(" + (first == 1 ? "Flatten, " : "") + "Linear, ReLU, ...) " + java.util.Arrays.toString(sizes); }

            @Override
            public LoadedModel build(Map<String, Tensor> state) { return LoadedModel.of(model); }
        };
    }

    private static long[] shape(Map<String, Tensor> state, String name) {
        Tensor t = state.get(name);
        if (t == null) throw new IllegalArgumentException("missing tensor '" + name + "'");
        return t.shape();
    }
}
