package io.ispasp.bench.latency;

import java.util.OptionalLong;

import org.bytedeco.pytorch.Tensor;

/**
 * A text encoder (BERT family): a sample is a sequence of token ids, so it is timed on batches [n, L] of ids at each
 * sequence length L of {@code --seq}, not on one float batch. It takes the other {@link LatencyModel} methods
 * only so that the runner, the report and the command keep one list of models; those without meaning here have
 * defaults ({@link #sampleShape()} is empty, {@link #flopsPerSample()} unknown: see {@link #flopsPerSequence}).
 */
public interface EncoderLatencyModel extends LatencyModel {
    /** The longest sequence it takes (its position embeddings). */
    int maxSequence();

    /** Multiply-adds per sequence of {@code seq} tokens (fvcore convention, one per multiply-add). */
    long flopsPerSequence(int seq);

    /**
     * {@code n} sequences of {@code seq} token ids, the same for every encoder at that (n, seq), ready for repeated
     * timed runs; checked once by a run whose output must have the batch's shape. The caller closes it.
     */
    Batch prepare(int n, int seq);

    /** One prepared input batch. */
    interface Batch extends AutoCloseable {
        /** One inference; the caller closes the output after taking the time. */
        Output run();

        @Override
        void close();
    }

    /** What one run returned, held until the time is taken. */
    interface Output extends AutoCloseable {
        @Override
        void close();
    }

    /** No fixed sample shape: the sequence length is chosen per run (--seq). */
    @Override
    default long[] sampleShape() { return new long[0]; }

    /** Unknown per sample: it depends on the sequence length ({@link #flopsPerSequence}). */
    @Override
    default OptionalLong flopsPerSample() { return OptionalLong.empty(); }

    @Override
    default Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(label() + " is a text encoder: it runs on token ids (prepare), not on a float tensor");
    }
}
