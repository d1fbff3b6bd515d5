package io.ispasp.api;

import java.util.Iterator;
import java.util.Objects;

import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.pytorch.Tensor;

/**
 * The calibration data of a {@link PruningJob}: inputs the pruned model should reproduce the dense model on,
 * supplied as an iterator of tensors (batches, {@code [n, ...sample shape]}) or of float arrays (one sample each,
 * row-major, with the sample shape given). Images are {@code [3, H, W]}, normalised the way the model was
 * trained; MLP inputs have the model's input size (any shape of that many elements).
 * <p>i-SpaSP reads its calibration data many times, so the job copies the first {@code limit} samples into
 * memory once and does not hold on to the iterator. Labels are optional: without them the dense model's own
 * predictions serve where a method needs labels (GFS's loss, the FLOPs-target scan).
 */
public final class CalibrationData {
    final Iterator<Tensor> tensors;
    final Iterator<float[]> arrays;
    final long[] sampleShape;
    final int[] labels;

    private CalibrationData(Iterator<Tensor> tensors, Iterator<float[]> arrays, long[] sampleShape, int[] labels) {
        this.tensors = tensors;
        this.arrays = arrays;
        this.sampleShape = sampleShape;
        this.labels = labels;
    }

    /** Batches of inputs, {@code [n, ...]}; float32 or anything that converts to it. The job copies them. */
    public static CalibrationData ofTensors(Iterator<Tensor> batches) {
        TorchRuntime.init();
        return new CalibrationData(Objects.requireNonNull(batches, "batches"), null, null, null);
    }

    /** One input per array, {@code sampleShape} elements each (e.g. 3, 32, 32 or 784). */
    public static CalibrationData ofArrays(Iterator<float[]> samples, long... sampleShape) {
        TorchRuntime.init();
        if (sampleShape.length == 0) throw new IllegalArgumentException("give the sample shape, e.g. 3, 32, 32");
        for (long s : sampleShape) if (s < 1) throw new IllegalArgumentException("sample shape entries must be >= 1");
        return new CalibrationData(null, Objects.requireNonNull(samples, "samples"), sampleShape.clone(), null);
    }

    /** The same data with class labels, one per sample in iteration order. */
    public CalibrationData withLabels(int[] labels) {
        return new CalibrationData(tensors, arrays, sampleShape, labels.clone());
    }
}
