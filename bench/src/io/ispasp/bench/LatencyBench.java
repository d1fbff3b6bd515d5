package io.ispasp.bench;

import java.util.concurrent.TimeUnit;

import io.ispasp.bench.latency.MagnitudePruning;
import io.ispasp.engine.Tensors;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.prune.Layout;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Inference time of one fixed ResNet18-CIFAR (width 1.0, 10 classes, {@code Network.random(arch, 42)}), dense and
 * pruned, so that a change that slows the forward pass, or loses the pruned net's advantage, shows.
 * The pruned net keeps, by filter magnitude, 0.4 of the inner channels of every block of stages 1-3 (the
 * authors' per-stage ratios 0.4/0.4/0.4/1.0; their reference layout touches only blocks 1..n-2 of a stage, and
 * ResNet18's stages have two blocks, so on ResNet18 it would prune nothing). Eval mode, no grad, a fixed
 * standard-normal batch of 32x32 images.
 * Run: {@code ./ispasp bench jmh LatencyBench -f 1 -wi 2 -i 5 -w 1s -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LatencyBench {
    static final String PRUNED_LAYOUT = "stages-all:0.4,0.4,0.4,1.0";

    @Param({"1", "8"})
    public int batch;

    @Param({"dense", "pruned"})
    public String model;

    private Network net;
    private Tensor x;

    @Setup(Level.Trial)
    public void setUp() {
        TorchRuntime.init();
        Architecture arch = Architectures.image("resnet18", true, 1.0, 10);
        Network dense = Network.random(arch, 42);
        switch (model) {
            case "dense" -> net = dense;
            case "pruned" -> {
                net = MagnitudePruning.prune(dense, Layout.parse(PRUNED_LAYOUT, arch, null));
                dense.close();
            }
            default -> throw new IllegalArgumentException("model must be dense or pruned, got " + model);
        }
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(batch);
            x = Tensors.retained(torch.randn(batch, 3, 32, 32));
        }
    }

    /** One forward of the batch; the guard is per call because grad mode belongs to the calling thread. */
    @Benchmark
    public long forward() {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            return net.forward(x).numel();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        net.close();
        x.releaseReference();
    }
}
