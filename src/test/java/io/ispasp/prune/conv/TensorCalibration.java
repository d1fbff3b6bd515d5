package io.ispasp.prune.conv;

import io.ispasp.engine.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Random calibration images held as one tensor, for tests. */
final class TensorCalibration implements Calibration, AutoCloseable {
    private final Tensor images;
    private final Tensor labels;

    TensorCalibration(int n, int size, long seed) {
        torch.manual_seed(seed);
        this.images = Tensors.retained(torch.randn(n, 3, size, size));
        this.labels = Tensors.retained(torch.randint(10, new long[] {n}, new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Long)));
    }

    @Override
    public int size() { return (int) images.size(0); }

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
