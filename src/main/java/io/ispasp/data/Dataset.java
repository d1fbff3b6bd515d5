package io.ispasp.data;

import java.util.Arrays;

import io.ispasp.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * An in-memory labelled data set: {@code size} rows of {@code featureSize} floats (already normalised) and an
 * integer class label per row. Immutable; safe to share between threads.
 */
public final class Dataset implements LabeledData {
    private final float[] features;
    private final int[] labels;
    private final int featureSize;
    private final int numClasses;

    public Dataset(float[] features, int[] labels, int featureSize, int numClasses) {
        if (featureSize <= 0) throw new IllegalArgumentException("featureSize must be > 0");
        if ((long) labels.length * featureSize != features.length) {
            throw new IllegalArgumentException("features hold " + features.length + " floats, expected "
                    + labels.length + " x " + featureSize);
        }
        for (int l : labels) {
            if (l < 0 || l >= numClasses) throw new IllegalArgumentException("label " + l + " outside [0," + numClasses + ")");
        }
        this.features = features;
        this.labels = labels;
        this.featureSize = featureSize;
        this.numClasses = numClasses;
    }

    @Override
    public int size() { return labels.length; }

    public int featureSize() { return featureSize; }

    public int numClasses() { return numClasses; }

    /** Same as {@link #numClasses()}. */
    @Override
    public int classes() { return numClasses; }

    /** {@code [featureSize]}. */
    @Override
    public long[] sampleShape() { return new long[] {featureSize}; }

    /** Same as {@link #features(int[])}. */
    @Override
    public Tensor inputs(int[] rows) { return features(rows); }

    /** Same as {@link #features(int, int)}. */
    @Override
    public Tensor inputs(int from, int to) { return features(from, to); }

    public int label(int i) { return labels[i]; }

    /** The first {@code n} rows (all rows if {@code n >= size()}). */
    public Dataset head(int n) {
        if (n <= 0) throw new IllegalArgumentException("need at least one row, got " + n);
        if (n >= size()) return this;
        return new Dataset(Arrays.copyOf(features, n * featureSize), Arrays.copyOf(labels, n), featureSize, numClasses);
    }

    /** Rows [from, to) as a float tensor of shape [to-from, featureSize] (a copy). */
    public Tensor features(int from, int to) {
        checkRange(from, to);
        return Tensors.of(Arrays.copyOfRange(features, from * featureSize, to * featureSize), to - from, featureSize);
    }

    /** Labels of rows [from, to) as an int64 tensor. */
    @Override
    public Tensor labels(int from, int to) {
        checkRange(from, to);
        long[] l = new long[to - from];
        for (int i = from; i < to; i++) l[i - from] = labels[i];
        return Tensors.ofLongs(l);
    }

    /** The rows listed in {@code rows} as a float tensor (used for shuffled mini-batches). */
    public Tensor features(int[] rows) {
        float[] out = new float[rows.length * featureSize];
        for (int i = 0; i < rows.length; i++) System.arraycopy(features, rows[i] * featureSize, out, i * featureSize, featureSize);
        return Tensors.of(out, rows.length, featureSize);
    }

    @Override
    public Tensor labels(int[] rows) {
        long[] l = new long[rows.length];
        for (int i = 0; i < rows.length; i++) l[i] = labels[rows[i]];
        return Tensors.ofLongs(l);
    }

    private void checkRange(int from, int to) {
        if (from < 0 || to > size() || from >= to) throw new IndexOutOfBoundsException("rows [" + from + "," + to + ") of " + size());
    }
}
