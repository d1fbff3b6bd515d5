package io.ispasp.data;

import java.util.SplittableRandom;

import org.bytedeco.pytorch.Tensor;

/**
 * The view of a labelled data set that training and evaluation need, whatever its samples are: feature rows
 * ({@link Dataset}, tensors {@code [n, features]}) or RGB images ({@link ImageDataset}, tensors {@code [n, 3, H, W]}).
 * Every tensor is new and made in the caller's current {@link org.bytedeco.javacpp.PointerScope}.
 */
public interface LabeledData {
    /** Number of samples. */
    int size();

    /** Number of classes; every label is in {@code [0, classes())}. */
    int classes();

    /** Shape of one sample as {@link #inputs} returns it: {@code [features]} or {@code [3, height, width]}. */
    long[] sampleShape();

    /**
     * Rows a per-row unit sees per sample on average: 1 for feature rows and images (a conv unit's positions come from
     * the shapes), the real tokens of a sentence for token data, whose per-token units see one row per token.
     */
    default double rowsPerSample() { return 1; }

    /** The samples listed in {@code rows}, in that order (repeats allowed), as evaluated: not augmented. */
    Tensor inputs(int[] rows);

    /** Labels of the samples listed in {@code rows}, in that order, as an int64 tensor {@code [rows.length]}. */
    Tensor labels(int[] rows);

    /**
     * Training inputs of the samples listed in {@code rows}: each augmented by {@code aug} with draws taken from
     * {@code rnd}, row by row in order, so equal seeds give equal tensors. This default takes no augmentation but
     * {@link Augmentation#NONE} (which draws nothing); image data sets override it.
     *
     * @param rnd may be null when {@code aug} is {@link Augmentation#NONE}
     * @throws IllegalArgumentException when {@code aug} does not apply to these samples
     */
    default Tensor inputs(int[] rows, Augmentation aug, SplittableRandom rnd) {
        if (aug != Augmentation.NONE) {
            throw new IllegalArgumentException("augmentation " + aug + " applies to images only, not to samples of shape "
                    + java.util.Arrays.toString(sampleShape()));
        }
        return inputs(rows);
    }

    /** Samples {@code [from, to)} as evaluated. */
    default Tensor inputs(int from, int to) {
        return inputs(range(from, to, size()));
    }

    /** Labels of samples {@code [from, to)}. */
    default Tensor labels(int from, int to) {
        return labels(range(from, to, size()));
    }

    /** {@code from, from + 1, ..., to - 1}, checked against {@code size}. */
    private static int[] range(int from, int to, int size) {
        if (from < 0 || to > size || from >= to) throw new IndexOutOfBoundsException("rows [" + from + "," + to + ") of " + size);
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) rows[i] = from + i;
        return rows;
    }
}
