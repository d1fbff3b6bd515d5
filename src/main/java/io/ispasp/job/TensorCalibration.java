package io.ispasp.job;

import io.ispasp.engine.Tensors;
import io.ispasp.prune.Calibration;
import org.bytedeco.pytorch.Tensor;

/**
 * Calibration samples held in memory as one tensor ([n, 3, H, W] images or [n, f] features) with optional int64
 * labels [n]; owns both until closed.
 */
public final class TensorCalibration implements Calibration, AutoCloseable {
    private final Tensor inputs;
    private final Tensor labels;

    /** Takes a reference to both tensors (the caller's scope may close its own handles); {@code labels} may be null. */
    public TensorCalibration(Tensor inputs, Tensor labels) {
        if (inputs.dim() < 2 || labels != null && (labels.dim() != 1 || inputs.size(0) != labels.size(0))) {
            throw new IllegalArgumentException("calibration samples must be [n, ...] with n labels");
        }
        this.inputs = Tensors.retained(inputs);
        this.labels = labels == null ? null : Tensors.retained(labels);
    }

    @Override
    public int size() { return (int) inputs.size(0); }

    /** Image side, for images [n, 3, H, W]; 0 for feature rows. */
    public int side() { return inputs.dim() == 4 ? (int) inputs.size(2) : 0; }

    @Override
    public Tensor inputs(int from, int to) { return inputs.narrow(0, from, to - from); }

    @Override
    public Tensor inputs(int[] rows) { return inputs.index_select(0, Tensors.indices(rows)); }

    @Override
    public boolean labelled() { return labels != null; }

    @Override
    public Tensor labels(int[] rows) {
        if (labels == null) throw new IllegalStateException("these calibration samples have no labels");
        return labels.index_select(0, Tensors.indices(rows));
    }

    @Override
    public void close() {
        inputs.releaseReference();
        if (labels != null) labels.releaseReference();
    }
}
