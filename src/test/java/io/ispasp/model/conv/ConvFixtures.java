package io.ispasp.model.conv;

import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Small conv nets with non-trivial BatchNorm state, for tests. */
public final class ConvFixtures {
    private ConvFixtures() {}

    /** Small CIFAR-form specs of every architecture. */
    public static ConvSpec tinyResNet() { return ConvSpec.dense(Arch.RESNET18, true, 10, 0.125); }

    public static ConvSpec tinyMobileNet() { return ConvSpec.dense(Arch.MOBILENETV2, true, 10, 0.25); }

    /**
     * A random net whose BN layers have random scales, shifts and running statistics (a fresh net's BN is the
     * identity, which would hide mistakes in how BN is folded or sliced).
     */
    public static ConvNet randomized(ConvSpec spec, long seed) {
        ConvNet net = ConvNet.random(spec, seed);
        torch.manual_seed(seed);
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : net.state().entrySet()) {
                String n = e.getKey();
                Tensor t = e.getValue();
                if (n.endsWith("running_var")) t.uniform_(0.5, 2.0, new GeneratorOptional());
                else if (n.endsWith("running_mean")) t.normal_(0.0, 0.5, new GeneratorOptional());
                else if (t.dim() == 1 && n.endsWith(".weight") && !n.startsWith("fc") && !n.startsWith("classifier")) t.uniform_(0.5, 1.5, new GeneratorOptional());
                else if (t.dim() == 1 && n.endsWith(".bias")) t.normal_(0.0, 0.3, new GeneratorOptional());
            }
        }
        return net;
    }

    public static Tensor images(int n, int size, long seed) {
        torch.manual_seed(seed);
        return torch.randn(n, 3, size, size);
    }

    public static double maxAbsDiff(Tensor a, Tensor b) {
        try (PointerScope scope = new PointerScope()) {
            return a.sub(b).abs().max().item_double();
        }
    }
}
