package io.ispasp.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ispasp.engine.Cancellation;
import io.ispasp.engine.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/** Copies the first {@code limit} samples of a {@link CalibrationData} into one float32 tensor [n, ...]. */
final class CalibrationReader {
    private CalibrationReader() {}

    /** The samples as one tensor in the caller's PointerScope; an error naming the sample for bad shapes or values. */
    static Tensor read(CalibrationData data, int limit) {
        Tensor all = data.tensors != null ? fromTensors(data, limit) : fromArrays(data, limit);
        if (all.size(0) == 0) throw new IllegalArgumentException("the calibration data is empty");
        if (!torch.isfinite(all).all().item_bool()) {
            long first = torch.isfinite(all.reshape(all.size(0), -1)).all(1).logical_not().nonzero().get(0).item_long();
            throw new IllegalArgumentException("calibration sample " + first + " holds NaN or infinite values");
        }
        return all;
    }

    private static Tensor fromTensors(CalibrationData data, int limit) {
        List<Tensor> parts = new ArrayList<>();
        long n = 0;
        long[] sample = null;
        int batch = 0;
        while (n < limit && data.tensors.hasNext()) {
            Cancellation.checkpoint();
            Tensor t = data.tensors.next();
            if (t == null || t.dim() < 2) throw new IllegalArgumentException("calibration batch " + batch + " must be [n, ...], got "
                    + (t == null ? "null" : Arrays.toString(t.shape())));
            long[] s = Arrays.copyOfRange(t.shape(), 1, (int) t.dim());
            if (sample == null) sample = s;
            else if (!Arrays.equals(sample, s)) {
                throw new IllegalArgumentException("calibration batch " + batch + " has samples of shape " + Arrays.toString(s)
                        + ", the first batch " + Arrays.toString(sample));
            }
            long take = Math.min(t.size(0), limit - n);
            parts.add(t.narrow(0, 0, take).to(torch.ScalarType.Float).contiguous().clone()); // a copy the caller cannot change
            n += take;
            batch++;
        }
        if (parts.isEmpty()) throw new IllegalArgumentException("the calibration data is empty");
        return torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
    }

    private static Tensor fromArrays(CalibrationData data, int limit) {
        long per = 1;
        for (long s : data.sampleShape) per *= s;
        if (per * (long) limit > Integer.MAX_VALUE) limit = (int) (Integer.MAX_VALUE / per);
        float[] buf = new float[0];
        int n = 0;
        while (n < limit && data.arrays.hasNext()) {
            Cancellation.checkpoint();
            float[] x = data.arrays.next();
            if (x == null || x.length != per) {
                throw new IllegalArgumentException("calibration sample " + n + " has " + (x == null ? "no" : x.length) + " values, expected "
                        + per + " for shape " + Arrays.toString(data.sampleShape));
            }
            if ((long) (n + 1) * per > buf.length) buf = Arrays.copyOf(buf, (int) Math.min((long) Math.max(1, n) * 2 * per, (long) limit * per));
            System.arraycopy(x, 0, buf, (int) (n * per), (int) per);
            n++;
        }
        long[] shape = new long[data.sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(data.sampleShape, 0, shape, 1, data.sampleShape.length);
        return Tensors.of(Arrays.copyOf(buf, (int) (n * per)), shape);
    }
}
