package io.ispasp.prune;

import org.bytedeco.pytorch.Tensor;

/**
 * Calibration samples for pruning, read in a fixed order: images [n, 3, H, W] or feature rows [n, f], normalised,
 * without augmentation. Labels are optional: pruning needs none, only GFS (which scores the network's loss) and
 * the FLOPs-target search do. Tensors returned belong to the caller's PointerScope.
 */
public interface Calibration {
    int size();

    /** Samples {@code [from, to)}. */
    Tensor inputs(int from, int to);

    /** The samples of the given rows. */
    Tensor inputs(int[] rows);

    /** Whether {@link #labels} can be called. */
    boolean labelled();

    /** int64 labels of the given rows. */
    Tensor labels(int[] rows);
}
