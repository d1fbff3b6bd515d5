package io.ispasp.bench.latency;

import java.util.Arrays;
import java.util.OptionalLong;

import io.ispasp.model.Mlp;
import org.bytedeco.pytorch.Tensor;

/** An engine MLP on flat inputs [n, inputSize]. */
final class MlpLatencyModel implements LatencyModel {
    private final String label;
    private final Mlp mlp;

    MlpLatencyModel(String label, Mlp mlp) {
        this.label = label;
        this.mlp = mlp;
    }

    @Override
    public String label() { return label; }

    @Override
    public String description() { return "engine MLP checkpoint: " + Arrays.toString(mlp.sizes()); }

    @Override
    public long[] sampleShape() { return new long[] {mlp.inputSize()}; }

    @Override
    public long params() { return mlp.params(); }

    @Override
    public OptionalLong flopsPerSample() { return OptionalLong.of(mlp.flops()); }

    @Override
    public Tensor forward(Tensor x) { return mlp.forward(x); }

    /** Mlp has no close(); its parameters were retained past their scope when built, so they are released here. */
    @Override
    public void close() {
        for (Tensor t : mlp.parameters()) t.releaseReference();
    }
}
