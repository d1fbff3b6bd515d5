package io.ispasp.model.conv;

/**
 * Parameters and FLOPs of a conv net, counted from its {@link ConvSpec} at a square input size.
 * <p>Convention (fvcore's, which the paper's table uses): one multiply-add counts as one FLOP for convolutions
 * and linear layers (biases not counted); an eval-mode BatchNorm counts 2 per output element; activations,
 * additions and pooling count 0. This gives 3.67 G for ResNet34 and 314.1 M for MobileNetV2 at 224x224.
 * (fvcore's default also counts the final adaptive average pool, 1 per input element; the paper's 314.1 M and
 * 258.6 M only come out without it.) Parameters are the trainable tensors: conv and linear weights, linear
 * biases, BatchNorm weight and bias; running statistics are buffers, not parameters.
 *
 * @param params trainable parameters
 * @param flops  multiply-adds at the given input size
 */
public record Complexity(long params, long flops) {

    /** Counts {@code spec} at a {@code size x size} input. */
    public static Complexity of(ConvSpec spec, int size) {
        if (size < 1) throw new IllegalArgumentException("input size must be >= 1, got " + size);
        Counter c = new Counter();
        int h;
        if (spec.arch().isResNet()) {
            int stem = spec.stem();
            h = spec.cifar() ? c.conv(3, stem, 3, 1, 1, 1, size) : c.conv(3, stem, 7, 2, 3, 1, size);
            c.bn(stem, h);
            if (!spec.cifar()) h = (h + 2 - 3) / 2 + 1; // max-pool 3x3/2, padding 1
            for (ConvSpec.Block b : spec.blocks()) {
                int ho = c.conv(b.in(), b.hidden(), 3, b.stride(), 1, 1, h);
                c.bn(b.hidden(), ho);
                c.conv(b.hidden(), b.out(), 3, 1, 1, 1, ho);
                c.bn(b.out(), ho);
                if (b.downsample()) {
                    c.conv(b.in(), b.out(), 1, b.stride(), 0, 1, h);
                    c.bn(b.out(), ho);
                }
                h = ho;
            }
        } else {
            int stem = spec.stem();
            h = c.conv(3, stem, 3, spec.cifar() ? 1 : 2, 1, 1, size);
            c.bn(stem, h);
            for (ConvSpec.Block b : spec.blocks()) {
                if (b.expansion() != 1) {
                    c.conv(b.in(), b.hidden(), 1, 1, 0, 1, h);
                    c.bn(b.hidden(), h);
                }
                int ho = c.conv(b.hidden(), b.hidden(), 3, b.stride(), 1, b.hidden(), h);
                c.bn(b.hidden(), ho);
                c.conv(b.hidden(), b.out(), 1, 1, 0, 1, ho);
                c.bn(b.out(), ho);
                h = ho;
            }
            int last = spec.lastChannels();
            c.conv(spec.blocks().get(spec.blocks().size() - 1).out(), last, 1, 1, 0, 1, h);
            c.bn(last, h);
        }
        c.linear(spec.features(), spec.classes());
        return new Complexity(c.params, c.flops);
    }

    private static final class Counter {
        long params;
        long flops;

        /** A bias-free conv; returns the output size. */
        int conv(int in, int out, int k, int stride, int pad, int groups, int h) {
            int ho = (h + 2 * pad - k) / stride + 1;
            long weights = (long) out * (in / groups) * k * k;
            params += weights;
            flops += weights * ho * ho;
            return ho;
        }

        void bn(int channels, int h) {
            params += 2L * channels;
            flops += 2L * channels * h * h;
        }

        void linear(int in, int out) {
            params += (long) in * out + out;
            flops += (long) in * out;
        }
    }
}
