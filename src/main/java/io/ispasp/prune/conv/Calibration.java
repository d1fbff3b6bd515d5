package io.ispasp.prune.conv;

import org.bytedeco.pytorch.Tensor;

/** Calibration images for conv-net pruning, read in fixed order; tensors belong to the caller's PointerScope. */
public interface Calibration {
    int size();

    /** Images [to-from, 3, H, W], normalised, no augmentation. */
    Tensor images(int from, int to);

    /** Images of the given rows. */
    Tensor images(int[] rows);

    /** int64 labels of the given rows. */
    Tensor labels(int[] rows);
}
