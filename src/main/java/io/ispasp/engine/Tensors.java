package io.ispasp.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Conversions between Java arrays and CPU libtorch tensors; the one place that knows how buffers are read. */
public final class Tensors {
    private Tensors() {}

    public static Tensor of(float[] data, long... shape) {
        return AbstractTensor.create(data, shape);
    }

    public static Tensor of(double[] data, long... shape) {
        return AbstractTensor.create(data, shape);
    }

    public static Tensor ofLongs(long[] data) {
        return AbstractTensor.create(data, data.length);
    }

    public static Tensor indices(int[] idx) {
        long[] l = new long[idx.length];
        for (int i = 0; i < idx.length; i++) l[i] = idx[i];
        return ofLongs(l);
    }

    public static float[] floats(Tensor t) {
        try (PointerScope scope = new PointerScope()) { // the converted copies are freed here, not by the GC
            Tensor c = t.to(ScalarType.Float).contiguous();
            float[] out = new float[(int) c.numel()];
            ((FloatBuffer) c.createBuffer()).get(out);
            return out;
        }
    }

    public static double[] doubles(Tensor t) {
        try (PointerScope scope = new PointerScope()) { // the converted copies are freed here, not by the GC
            Tensor c = t.to(ScalarType.Double).contiguous();
            double[] out = new double[(int) c.numel()];
            ((DoubleBuffer) c.createBuffer()).get(out);
            return out;
        }
    }

    public static long[] longs(Tensor t) {
        try (PointerScope scope = new PointerScope()) { // the converted copies are freed here, not by the GC
            Tensor c = t.to(ScalarType.Long).contiguous();
            long[] out = new long[(int) c.numel()];
            ((LongBuffer) c.createBuffer()).get(out);
            return out;
        }
    }

    /** Column sums of a [rows, cols] tensor, accumulated in float64. */
    public static double[] columnSums(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            return doubles(t.sum(new long[] {0}, false, new ScalarTypeOptional(ScalarType.Double)));
        }
    }

    /** Per-channel sums of an NCHW tensor [n, C, h, w] (over images and positions), accumulated in float64. */
    public static double[] channelSums(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            return doubles(t.sum(new long[] {0, 2, 3}, false, new ScalarTypeOptional(ScalarType.Double)));
        }
    }

    /** Per-group sums of [n, N] or [n, N, h, w] (dimension 1 is the group), accumulated in float64. */
    public static double[] groupSums(Tensor t) {
        return t.dim() == 2 ? columnSums(t) : channelSums(t);
    }

    /** Sum of squares of every entry, accumulated in float64. */
    public static double squaredNorm(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            return t.pow(new Scalar(2.0)).sum(new ScalarTypeOptional(ScalarType.Double)).item_double();
        }
    }

    /** {@code acc += t} element-wise, for float64 accumulators of per-batch results. */
    public static void accumulate(double[] acc, Tensor t) {
        accumulate(acc, doubles(t));
    }

    /** {@code acc += part} element-wise. */
    public static void accumulate(double[] acc, double[] part) {
        if (part.length != acc.length) throw new IllegalArgumentException("accumulator holds " + acc.length + " values, part " + part.length);
        for (int i = 0; i < acc.length; i++) acc[i] += part[i];
    }

    /**
     * Keeps {@code t} alive past the PointerScope it was made in (the caller releases it with
     * {@code releaseReference()}); for caches and results that outlive one step.
     */
    public static Tensor retained(Tensor t) {
        t.retainReference();
        return t;
    }

    public static Tensor toDouble(Tensor t) {
        return t.to(ScalarType.Double);
    }

    public static Tensor toFloat(Tensor t) {
        return t.to(ScalarType.Float);
    }
}
