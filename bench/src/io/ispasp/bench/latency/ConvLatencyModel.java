package io.ispasp.bench.latency;

import java.util.OptionalLong;

import io.ispasp.model.conv.Complexity;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import org.bytedeco.pytorch.Tensor;

/** An engine conv net (ResNet18/34, MobileNetV2) in eval mode, on square images. */
final class ConvLatencyModel implements LatencyModel {
    private final String label;
    private final ConvNet net;
    private final long[] shape;

    /** {@code size}: the square input side (32 for the CIFAR form and 224 for the ImageNet form by default). */
    ConvLatencyModel(String label, ConvNet net, int size) {
        this.label = label;
        this.net = net;
        this.shape = new long[] {3, size, size};
    }

    @Override
    public String label() { return label; }

    @Override
    public String description() {
        ConvSpec s = net.spec();
        return "engine conv checkpoint: " + s.arch().cliName() + (s.cifar() ? " CIFAR form" : " ImageNet form") + ", width " + s.width();
    }

    @Override
    public long[] sampleShape() { return shape.clone(); }

    @Override
    public long params() { return net.params(); }

    @Override
    public OptionalLong flopsPerSample() { return OptionalLong.of(Complexity.of(net.spec(), (int) shape[1]).flops()); }

    @Override
    public Tensor forward(Tensor x) { return net.forward(x); }

    @Override
    public void close() { net.close(); }
}
