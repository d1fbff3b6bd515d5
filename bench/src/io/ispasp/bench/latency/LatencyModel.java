package io.ispasp.bench.latency;

import java.util.OptionalLong;

import org.bytedeco.pytorch.Tensor;

/**
 * A model the latency benchmark can time: whatever format it came from, it takes one batch [n, sampleShape...]
 * and returns its output ({@link EncoderLatencyModel}: a text encoder, fed token ids instead). {@link LatencyModels#open}
 * makes one from a file.
 */
public interface LatencyModel extends AutoCloseable {
    /** Name in the table, the JSON and the chart. */
    String label();

    /** What the model is, for the report (format, architecture, width). */
    String description();

    /** Shape of one input sample, without the batch dimension (e.g. 3, 32, 32). */
    long[] sampleShape();

    /** Trainable parameter count. */
    long params();

    /** Multiply-adds per sample (fvcore convention), where the format tells; empty otherwise (TorchScript). */
    OptionalLong flopsPerSample();

    /** Inference on a batch; the caller holds a NoGradGuard and a PointerScope that frees the result. */
    Tensor forward(Tensor x);

    @Override
    void close();
}
