package io.ispasp.bench.latency;

import java.util.OptionalLong;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.parameter_iterator;
import org.bytedeco.pytorch.parameter_list;

/**
 * A TorchScript module (a {@code torch.jit.save} zip) in eval mode, run by libtorch's JIT as a libtorch deployment
 * would. When the engine's importer recognises the architecture, its input shape and FLOPs come from there;
 * otherwise the sample shape is given and FLOPs are unknown.
 */
final class TorchScriptLatencyModel implements LatencyModel {
    private final String label;
    private final JitModule module;
    private final long[] shape;
    private final long params;
    private final String description;
    private final OptionalLong flops;

    TorchScriptLatencyModel(String label, JitModule module, long[] shape, String description, OptionalLong flops) {
        this.label = label;
        this.module = module;
        this.shape = shape.clone();
        this.description = description;
        this.flops = flops;
        module.eval();
        this.params = countParams(module);
    }

    @Override
    public String label() { return label; }

    @Override
    public String description() { return description; }

    @Override
    public long[] sampleShape() { return shape.clone(); }

    @Override
    public long params() { return params; }

    @Override
    public OptionalLong flopsPerSample() { return flops; }

    @Override
    public Tensor forward(Tensor x) {
        IValue out = module.forward(new IValueVector(new IValue(x)));
        if (!out.isTensor()) throw new IllegalStateException(label + ": the TorchScript module does not return a single tensor");
        return out.toTensor();
    }

    @Override
    public void close() { module.close(); }

    private static long countParams(JitModule m) {
        long n = 0;
        try (PointerScope scope = new PointerScope()) {
            parameter_list list = m.parameters(true);
            for (parameter_iterator it = list.begin(), end = list.end(); it.notEquals(end); it = it.increment()) {
                n += it.access().numel();
            }
        }
        return n;
    }
}
