package io.ispasp.job;

import io.ispasp.engine.Tensors;
import io.ispasp.prune.conv.Calibration;
import org.bytedeco.pytorch.Tensor;

/** Calibration images held in memory as one tensor [n, 3, H, W] with int64 labels [n]; owns both until closed. */
public final class TensorCalibration implements Calibration, AutoCloseable {
    private final Tensor images;
    private final Tensor labels;

    /** Takes a reference to both tensors (the caller's scope may close its own handles). */
    public TensorCalibration(Tensor images, Tensor labels) {
        if (images.dim() != 4 || labels.dim() != 1 || images.size(0) != labels.size(0)) {
            throw new IllegalArgumentException("calibration images must be [n, 3, H, W] with n labels");
        }
        this.images = Tensors.retained(images);
        this.labels = Tensors.retained(labels);
    }

    @Override
    public int size() { return (int) images.size(0); }

    public int side() { return (int) images.size(2); }

    @Override
    public Tensor images(int from, int to) { return images.narrow(0, from, to - from); }

    @Override
    public Tensor images(int[] rows) { return images.index_select(0, Tensors.indices(rows)); }

    @Override
    public Tensor labels(int[] rows) { return labels.index_select(0, Tensors.indices(rows)); }

    @Override
    public void close() {
        images.releaseReference();
        labels.releaseReference();
    }
}
