package io.ispasp.model.conv;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.ispasp.engine.Tensors;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * A ResNet18/34 or MobileNetV2 defined functionally on libtorch: the parameters and buffers live in one state
 * map under torchvision's names ({@code layer3.4.conv1.weight}, {@code features.6.conv.0.1.running_var}, ...) and
 * the forward pass is written out from the {@link ConvSpec}. Because the state is just named tensors, loading
 * torchvision weights is a lookup and pruning surgery is slicing (see {@link Surgery}).
 * <p>The tensors are CPU float32 (num_batches_tracked int64), owned by this object and released by {@link #close()}.
 * Forward passes in eval mode only read the state and may run from several threads; training mutates it.
 */
public final class ConvNet implements AutoCloseable {
    static final double BN_EPS = 1e-5;
    static final double BN_MOMENTUM = 0.1;

    private final ConvSpec spec;
    private final List<ConvSpec.Block> blocks;
    private final LinkedHashMap<String, Tensor> state;
    private final List<String> parameterNames;

    private ConvNet(ConvSpec spec, LinkedHashMap<String, Tensor> state) {
        this.spec = spec;
        this.blocks = spec.blocks();
        this.state = state;
        List<String> p = new ArrayList<>();
        for (String name : state.keySet()) if (isParameter(name)) p.add(name);
        this.parameterNames = Collections.unmodifiableList(p);
    }

    /** A freshly initialised net (torchvision's initialisation: Kaiming-normal fan-out convs, BN 1/0), seeded. */
    public static ConvNet random(ConvSpec spec, long seed) {
        TorchRuntime.init();
        Random rnd = new Random(seed);
        LinkedHashMap<String, Tensor> st = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) { // frees creation helpers; the state outlives it
            for (Map.Entry<String, long[]> e : Shapes.of(spec).entrySet()) {
                st.put(e.getKey(), outlive(initial(e.getKey(), e.getValue(), spec, rnd)));
            }
        }
        return new ConvNet(spec, st);
    }

    /**
     * A net of shape {@code spec} holding copies of {@code tensors} (name to tensor). Every expected parameter and
     * buffer must be present exactly once with its exact shape and finite values; unknown names are an error.
     */
    public static ConvNet fromState(ConvSpec spec, Map<String, Tensor> tensors) {
        TorchRuntime.init();
        StateCheck.check(spec, tensors);
        LinkedHashMap<String, Tensor> st = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (String name : Shapes.of(spec).keySet()) {
                Tensor src = tensors.get(name);
                Tensor copy = name.endsWith("num_batches_tracked")
                        ? src.to(torch.ScalarType.Long).clone() : src.to(torch.ScalarType.Float).contiguous().clone();
                st.put(name, outlive(copy));
            }
        }
        return new ConvNet(spec, st);
    }

    public ConvSpec spec() { return spec; }

    /** Parameters and buffers in torchvision order; the tensors are this net's own (do not close them). */
    public Map<String, Tensor> state() { return Collections.unmodifiableMap(state); }

    /** Names of the trainable parameters (the state without BN running statistics). */
    public List<String> parameterNames() { return parameterNames; }

    public Tensor tensor(String name) {
        Tensor t = state.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor '" + name + "' in " + spec.arch().cliName());
        return t;
    }

    /** Trainable parameter count (equals {@link Complexity#params()} of the spec). */
    public long params() {
        long n = 0;
        for (String name : parameterNames) n += state.get(name).numel();
        return n;
    }

    /** A deep copy. */
    public ConvNet copy() { return fromState(spec, state); }

    @Override
    public void close() {
        for (Tensor t : state.values()) t.releaseReference();
        state.clear();
    }

    // ---------------------------------------------------------------- forward

    /** Logits of a batch [n, 3, H, W] in eval mode (BN with running statistics). */
    public Tensor forward(Tensor x) { return forward(x, false); }

    /** Logits; in training mode BN uses batch statistics and updates the running ones, and dropout is active. */
    public Tensor forward(Tensor x, boolean training) {
        Tensor h = stem(x, training);
        for (ConvSpec.Block b : blocks) h = block(h, b, training);
        return head(h, training);
    }

    /** The input of unit {@code unit}'s block: the stem and every block before it, eval mode. */
    public Tensor unitInput(Tensor x, int unit) {
        Tensor h = stem(x, false);
        for (ConvSpec.Block b : blocks) {
            if (b.unit() == unit) return h;
            h = block(h, b, false);
        }
        throw new IllegalArgumentException("no unit " + unit);
    }

    /** Logits from the output of unit {@code unit}'s block: every later block and the head, eval mode. */
    public Tensor forwardAfter(Tensor blockOutput, int unit) {
        Tensor h = blockOutput;
        boolean after = false;
        for (ConvSpec.Block b : blocks) {
            if (after) h = block(h, b, false);
            if (b.unit() == unit) after = true;
        }
        if (!after) throw new IllegalArgumentException("no unit " + unit);
        return head(h, false);
    }

    /** The unit's hidden tensor H = A(X) [n, N, h, w], non-negative (eval mode). */
    public Tensor hidden(Tensor blockInput, int unit) {
        return hidden(blockInput, spec.unitBlock(unit), false);
    }

    /**
     * B's linear part on a hidden tensor: kappa * conv_B(h), the output BN's scale without its shift, so that
     * B(h) = outputLinear(h) + outputShift().
     */
    public Tensor outputLinear(Tensor h, int unit) {
        ConvSpec.Block b = spec.unitBlock(unit);
        String p = b.name() + ".";
        Tensor y = spec.arch().isResNet() ? conv(h, p + "conv2.weight", 1, 1, 1) : conv(h, p + "conv.2.weight", 1, 0, 1);
        return y.mul(kappa(outputBn(b)).reshape(1, -1, 1, 1));
    }

    /** B's output shift beta - kappa * mean, per output channel [out]. */
    public Tensor outputShift(int unit) {
        String bn = outputBn(spec.unitBlock(unit));
        return tensor(bn + ".bias").sub(kappa(bn).mul(tensor(bn + ".running_mean")));
    }

    /** B's weight with the BN scale folded in, [out, N, k, k] (k = 3 for ResNets, 1 for MobileNetV2). */
    public Tensor outputWeight(int unit) {
        ConvSpec.Block b = spec.unitBlock(unit);
        String w = b.name() + (spec.arch().isResNet() ? ".conv2.weight" : ".conv.2.weight");
        return tensor(w).mul(kappa(outputBn(b)).reshape(-1, 1, 1, 1));
    }

    /** Kernel taps of B: 9 (3x3, ResNets) or 1 (1x1, MobileNetV2). */
    public int outputTaps(int unit) { return spec.arch().isResNet() ? 9 : 1; }

    /** The block output given its input and a (possibly modified) hidden tensor: B(h) plus the shortcut, eval mode. */
    public Tensor blockOutput(Tensor blockInput, Tensor h, int unit) {
        ConvSpec.Block b = spec.unitBlock(unit);
        Tensor y = outputLinear(h, unit).add(outputShift(unit).reshape(1, -1, 1, 1));
        if (spec.arch().isResNet()) return y.add(shortcut(blockInput, b, false)).relu();
        return b.residual() ? y.add(blockInput) : y;
    }

    /** Per-group L1 norm of A's filters (conv1, or the expand conv): the magnitude criterion. */
    public double[] filterNorms(int unit) {
        ConvSpec.Block b = spec.unitBlock(unit);
        String w = b.name() + (spec.arch().isResNet() ? ".conv1.weight" : ".conv.0.0.weight");
        try (PointerScope scope = new PointerScope()) {
            return Tensors.doubles(tensor(w).abs().sum(new long[] {1, 2, 3}, false, new org.bytedeco.pytorch.ScalarTypeOptional(torch.ScalarType.Double)));
        }
    }

    private Tensor stem(Tensor x, boolean training) {
        if (spec.arch().isResNet()) {
            Tensor h = spec.cifar() ? conv(x, "conv1.weight", 1, 1, 1) : conv(x, "conv1.weight", 2, 3, 1);
            h = bn(h, "bn1", training).relu();
            if (!spec.cifar()) h = torch.max_pool2d(h, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}, false);
            return h;
        }
        return relu6(bn(conv(x, "features.0.0.weight", spec.cifar() ? 1 : 2, 1, 1), "features.0.1", training));
    }

    private Tensor block(Tensor x, ConvSpec.Block b, boolean training) {
        if (spec.arch().isResNet()) {
            Tensor h = hidden(x, b, training);
            String p = b.name() + ".";
            Tensor y = bn(conv(h, p + "conv2.weight", 1, 1, 1), p + "bn2", training);
            return y.add(shortcut(x, b, training)).relu();
        }
        Tensor h = hidden(x, b, training);
        String p = b.name() + ".conv.";
        int project = b.expansion() == 1 ? 1 : 2;
        Tensor y = bn(conv(h, p + project + ".weight", 1, 0, 1), p + (project + 1), training);
        return b.residual() ? y.add(x) : y;
    }

    private Tensor hidden(Tensor x, ConvSpec.Block b, boolean training) {
        if (spec.arch().isResNet()) {
            String p = b.name() + ".";
            return bn(conv(x, p + "conv1.weight", b.stride(), 1, 1), p + "bn1", training).relu();
        }
        String p = b.name() + ".conv.";
        Tensor h = x;
        int dw = 0;
        if (b.expansion() != 1) {
            h = relu6(bn(conv(h, p + "0.0.weight", 1, 0, 1), p + "0.1", training));
            dw = 1;
        }
        return relu6(bn(conv(h, p + dw + ".0.weight", b.stride(), 1, b.hidden()), p + dw + ".1", training));
    }

    private Tensor shortcut(Tensor x, ConvSpec.Block b, boolean training) {
        if (!b.downsample()) return x;
        String p = b.name() + ".downsample.";
        return bn(conv(x, p + "0.weight", b.stride(), 0, 1), p + "1", training);
    }

    private Tensor head(Tensor h, boolean training) {
        if (!spec.arch().isResNet()) {
            int last = blocks.size() + 1;
            h = relu6(bn(conv(h, "features." + last + ".0.weight", 1, 0, 1), "features." + last + ".1", training));
        }
        Tensor f = torch.adaptive_avg_pool2d(h, 1, 1).flatten(1, -1);
        if (spec.arch().isResNet()) return torch.linear(f, tensor("fc.weight"), new TensorOptional(tensor("fc.bias")));
        f = torch.dropout(f, 0.2, training);
        return torch.linear(f, tensor("classifier.1.weight"), new TensorOptional(tensor("classifier.1.bias")));
    }

    private Tensor conv(Tensor x, String weight, int stride, int pad, int groups) {
        return io.ispasp.engine.Convolution.conv2d(x, tensor(weight), null, stride, pad, groups);
    }

    private Tensor bn(Tensor x, String prefix, boolean training) {
        if (training) {
            Tensor tracked = tensor(prefix + ".num_batches_tracked");
            try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                tracked.add_(new Scalar(1L));
            }
        }
        return torch.batch_norm(x, new TensorOptional(tensor(prefix + ".weight")), new TensorOptional(tensor(prefix + ".bias")),
                new TensorOptional(tensor(prefix + ".running_mean")), new TensorOptional(tensor(prefix + ".running_var")),
                training, BN_MOMENTUM, BN_EPS, false);
    }

    /** Eval-mode BN scale gamma / sqrt(var + eps). */
    private Tensor kappa(String bn) {
        return tensor(bn + ".weight").div(tensor(bn + ".running_var").add(new Scalar(BN_EPS)).sqrt());
    }

    private String outputBn(ConvSpec.Block b) {
        return b.name() + (spec.arch().isResNet() ? ".bn2" : ".conv.3");
    }

    private static Tensor relu6(Tensor x) {
        return torch.hardtanh(x, new Scalar(0.0), new Scalar(6.0));
    }

    static boolean isParameter(String name) {
        return !(name.endsWith("running_mean") || name.endsWith("running_var") || name.endsWith("num_batches_tracked"));
    }

    private static Tensor outlive(Tensor t) {
        t.retainReference();
        return t;
    }

    private static Tensor initial(String name, long[] shape, ConvSpec spec, Random rnd) {
        if (name.endsWith("num_batches_tracked")) return Tensors.ofLongs(new long[] {0}).reshape();
        long n = 1;
        for (long s : shape) n *= s;
        float[] v = new float[(int) n];
        if (name.endsWith("running_var")) java.util.Arrays.fill(v, 1f);
        else if (name.endsWith("running_mean") || name.endsWith(".bias") && !isLinear(name)) { /* zeros */ }
        else if (shape.length == 4) {
            double std = Math.sqrt(2.0 / (shape[0] * shape[2] * shape[3])); // Kaiming normal, fan-out, ReLU gain
            for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * std);
        } else if (shape.length == 1 && name.endsWith(".weight")) {
            java.util.Arrays.fill(v, 1f); // BN weight
        } else if (isLinear(name)) {
            if (spec.arch().isResNet()) {
                long fanIn = shape.length == 2 ? shape[1] : spec.features();
                double bound = 1 / Math.sqrt(fanIn);
                for (int i = 0; i < v.length; i++) v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            } else if (shape.length == 2) {
                for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * 0.01);
            }
        }
        return Tensors.of(v, shape);
    }

    private static boolean isLinear(String name) {
        return name.startsWith("fc.") || name.startsWith("classifier.");
    }
}
