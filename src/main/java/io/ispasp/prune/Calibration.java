package io.ispasp.prune;

import java.util.Arrays;

import org.bytedeco.javacpp.PointerScope;
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

    /** One sample's shape, without the batch dimension ([3, H, W] or [f]). */
    default long[] sampleShape() {
        try (PointerScope scope = new PointerScope()) {
            long[] shape = inputs(0, 1).shape();
            return Arrays.copyOfRange(shape, 1, shape.length);
        }
    }

    /** Rows a Linear unit's H has per sample on average (1, or the real tokens of a sentence); the cost model reads it. */
    default double rowsPerSample() { return 1; }

    /** The samples of the given rows. */
    Tensor inputs(int[] rows);

    /** Whether {@link #labels} can be called. */
    boolean labelled();

    /** int64 labels of the given rows. */
    Tensor labels(int[] rows);
}
