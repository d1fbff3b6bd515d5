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
 * A TorchScript module (a {@code torch.jit.save} zip) in eval mode. The file does not say what input it takes, so
 * the sample shape is given; FLOPs are unknown.
 */
final class TorchScriptLatencyModel implements LatencyModel {
    private final String label;
    private final JitModule module;
    private final long[] shape;
    private final long params;

    TorchScriptLatencyModel(String label, JitModule module, long[] shape) {
        this.label = label;
        this.module = module;
        this.shape = shape.clone();
        module.eval();
        this.params = countParams(module);
    }

    @Override
    public String label() { return label; }

    @Override
    public String description() { return "TorchScript module"; }

    @Override
    public long[] sampleShape() { return shape.clone(); }

    @Override
    public long params() { return params; }

    @Override
    public OptionalLong flopsPerSample() { return OptionalLong.empty(); }

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
