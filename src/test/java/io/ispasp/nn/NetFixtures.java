package io.ispasp.nn;

import java.util.List;
import java.util.Map;

import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Bert;
import io.ispasp.nn.arch.Mlp;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Small networks of every family with non-trivial BatchNorm state, and inputs for them. */
public final class NetFixtures {
    private NetFixtures() {}

    /** One small configuration of every family and variant the conformance suite covers. */
    public static List<Architecture> all() {
        return List.of(
                Architectures.parse("resnet18 form=cifar width=0.125 classes=10"),
                Architectures.parse("resnet34 form=imagenet width=0.0625 classes=7"),
                Architectures.parse("resnet50 form=cifar width=0.125 classes=10"),
                Architectures.parse("wide_resnet50_2 form=cifar width=0.0625 classes=10"),
                Architectures.parse("mobilenet_v2 form=cifar width=0.25 classes=10"),
                Architectures.parse("mobilenet_v2 form=imagenet width=0.25 classes=5"),
                Architectures.parse("vgg11_bn form=cifar width=0.125 classes=10"),
                Architectures.parse("vgg13 form=cifar width=0.125 classes=10"),
                Mlp.relu(20, 16, 12, 5),
                Architectures.parse("mlp sizes=20,16,12,5 activation=gelu batchnorm=true dropout=0.1 flatten=true"),
                Architectures.parse("mlp sizes=20,9,4 activation=tanh"),
                Architectures.parse("mlp sizes=20,9,7,4 activation=leaky_relu slope=0.2"),
                Architectures.parse("mlp sizes=20,9,4 activation=silu batchnorm=true"),
                Architectures.parse("mlp sizes=20,9,4 activation=relu6"),
                ENCODER);
    }

    /** A small BERT-family encoder: two layers, hidden 16 in two heads, FFN 24. */
    public static final Architecture ENCODER =
            Architectures.parse("bert layers=2 hidden=16 heads=2 intermediate=24 vocab=50 positions=40 types=2 eps=1e-12");

    /** Tokens per sequence of {@link #inputs} for an encoder. */
    static final int SEQUENCE = 11;

    /** A random network whose BN layers have random scales, shifts and running statistics. */
    public static Network randomized(Architecture arch, long seed) {
        Network net = Network.random(arch, seed);
        torch.manual_seed(seed);
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : net.state().entrySet()) {
                String n = e.getKey();
                Tensor t = e.getValue();
                boolean bn = net.state().containsKey(n.substring(0, n.lastIndexOf('.')) + ".running_var");
                if (n.endsWith("running_var")) t.uniform_(0.5, 2.0, new GeneratorOptional());
                else if (n.endsWith("running_mean")) t.normal_(0.0, 0.5, new GeneratorOptional());
                else if (bn && n.endsWith(".weight")) t.uniform_(0.5, 1.5, new GeneratorOptional());
                else if (t.dim() == 1 && n.endsWith(".bias")) t.normal_(0.0, 0.3, new GeneratorOptional());
            }
        }
        return net;
    }

    /** Random inputs for {@code arch}: images at its native side (64 for ImageNet forms, to stay fast) or features. */
    public static Tensor inputs(Architecture arch, int n, long seed) {
        torch.manual_seed(seed);
        if (arch instanceof Bert b) return tokens(b, n, seed);
        int side = arch.nativeInput() == 224 ? 64 : arch.nativeInput();
        long[] s = arch.inputShape(side);
        long[] shape = new long[s.length + 1];
        shape[0] = n;
        System.arraycopy(s, 0, shape, 1, s.length);
        return torch.randn(shape);
    }

    /** Random token ids [n, SEQUENCE], each sequence of a random length from 2 up, padded with -1. */
    static Tensor tokens(Bert b, int n, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        long[] ids = new long[n * SEQUENCE];
        for (int i = 0; i < n; i++) {
            int len = i == 0 ? SEQUENCE : 2 + rnd.nextInt(SEQUENCE - 1);   // one full row, the rest padded
            for (int t = 0; t < SEQUENCE; t++) ids[i * SEQUENCE + t] = t < len ? rnd.nextInt(b.vocab()) : -1;
        }
        return io.ispasp.engine.Tensors.ofLongs(ids).reshape(n, SEQUENCE);
    }

    /** max |a - b| / max(1, max |a|). */
    public static double relativeDiff(Tensor a, Tensor b) {
        try (PointerScope scope = new PointerScope()) {
            double scale = Math.max(1.0, a.abs().max().item_double());
            return a.sub(b).abs().max().item_double() / scale;
        }
    }
}
