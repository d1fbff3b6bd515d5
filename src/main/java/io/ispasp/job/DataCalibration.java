package io.ispasp.job;

import io.ispasp.data.LabeledData;
import io.ispasp.prune.Calibration;
import org.bytedeco.pytorch.Tensor;

/** The first samples of a data set as calibration data: fixed order, no augmentation. */
public final class DataCalibration {
    private DataCalibration() {}

    /** All of {@code data}; labels offered to the selectors only when {@code labelled}. */
    public static Calibration of(LabeledData data, boolean labelled) {
        return of(data, data.size(), labelled);
    }

    /** The first {@code n} samples of {@code data}. */
    public static Calibration of(LabeledData data, int n, boolean labelled) {
        if (n < 1 || n > data.size()) throw new IllegalArgumentException("calibration of " + n + " samples from a set of " + data.size());
        return new Calibration() {
            public int size() { return n; }

            public Tensor inputs(int from, int to) {
                if (to > n) throw new IndexOutOfBoundsException("rows [" + from + "," + to + ") of " + n);
                return data.inputs(from, to);
            }

            public Tensor inputs(int[] rows) { return data.inputs(check(rows)); }

            public double rowsPerSample() { return data.rowsPerSample(); }

            public boolean labelled() { return labelled; }

            public Tensor labels(int[] rows) {
                if (!labelled) throw new IllegalStateException("these calibration samples carry no labels for the model");
                return data.labels(check(rows));
            }

            private int[] check(int[] rows) {
                for (int r : rows) if (r < 0 || r >= n) throw new IndexOutOfBoundsException("row " + r + " of " + n);
                return rows;
            }
        };
    }
}
