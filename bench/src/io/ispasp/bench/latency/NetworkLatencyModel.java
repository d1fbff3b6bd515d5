package io.ispasp.bench.latency;

import java.util.OptionalLong;

import io.ispasp.nn.Network;
import org.bytedeco.pytorch.Tensor;

/**
 * An engine network of any family (an MLP on flat inputs [n, features], an image model on square images [n, 3, S,
 * S]) in eval mode, timed through the engine's own forward.
 */
final class NetworkLatencyModel implements LatencyModel {
    private final String label;
    private final Network net;
    private final int size;

    /** {@code size}: the square image side (32 for CIFAR forms and 224 for ImageNet forms by default; ignored for an MLP). */
    NetworkLatencyModel(String label, Network net, int size) {
        this.label = label;
        this.net = net;
        this.size = size;
    }

    @Override
    public String label() { return label; }

    @Override
    public String description() { return "engine checkpoint: " + net.architecture().describe(); }

    @Override
    public long[] sampleShape() { return net.architecture().inputShape(size); }

    @Override
    public long params() { return net.params(); }

    @Override
    public OptionalLong flopsPerSample() { return OptionalLong.of(net.complexity(size).flops()); }

    @Override
    public Tensor forward(Tensor x) { return net.forward(x); }

    @Override
    public void close() { net.close(); }
}
