package io.ispasp.job;

import io.ispasp.data.ImageDataset;
import io.ispasp.prune.conv.Calibration;
import org.bytedeco.pytorch.Tensor;

/** The first images of a data set as calibration data: fixed order, no augmentation. */
public record ImageCalibration(ImageDataset data) implements Calibration {
    @Override
    public int size() { return data.size(); }

    @Override
    public Tensor images(int from, int to) { return data.images(from, to); }

    @Override
    public Tensor images(int[] rows) { return data.images(rows); }

    @Override
    public Tensor labels(int[] rows) { return data.labels(rows); }
}
