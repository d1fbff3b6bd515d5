package io.ispasp.baseline;

import io.ispasp.engine.Tensors;
import io.ispasp.prune.Selection;
import io.ispasp.prune.Selector;
import io.ispasp.prune.TopK;
import io.ispasp.prune.UnitData;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * A FLAP-style baseline (An et al. 2024, "Fluctuation-based adaptive structured pruning"): each group scores the
 * fluctuation of its activation over the calibration rows (sample variance of H per group, every position a row)
 * times the squared norm of B's columns that read it (BN scale folded in); the s groups of largest score stay, and
 * the dropped groups' mean contribution moves into B's bias or the BN after it (bias compensation), where B can take
 * it. For a 3x3 B the compensation is the mean times the sum of the taps, exact away from the border. A group of
 * several columns (an attention head) scores the sum over its columns, and each column's mean is compensated.
 */
public final class FlapSelector implements Selector {
    @Override
    public Selection select(UnitData unit) {
        long t0 = System.nanoTime();
        // features = the columns of H: one per group, or a head's columns per head (group c = features [c per, (c+1) per))
        int n = unit.groups(), per = unit.convolutional() ? 1 : unit.taps(), f = n * per;
        int rows = unit.calibration().size(), batch = unit.options().batchSize();
        double[] sum = new double[f], squares = new double[f];
        long count = 0;
        try (NoGradGuard g = new NoGradGuard()) {
            for (int from = 0; from < rows; from += batch) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor h = Tensors.toDouble(unit.hidden(unit.input(from, Math.min(rows, from + batch))));
                    Tensors.accumulate(sum, Tensors.groupSums(h));
                    Tensors.accumulate(squares, Tensors.groupSums(h.mul(h)));
                    count += h.numel() / f;
                }
            }
        }
        double[] columnNorms, columnSums;   // per feature: ||W_c||^2 [f] and W_c summed over its taps [out, f]
        int out = unit.outputs();
        try (PointerScope scope = new PointerScope()) {
            Tensor w = Tensors.toDouble(unit.bWeight());                       // [out, f] or [out, N, k, k]
            Tensor perFeature = w.dim() == 4 ? w.sum(new long[] {2, 3}) : w;  // [out, f]
            columnNorms = Tensors.columnSums(w.dim() == 4 ? w.mul(w).sum(new long[] {2, 3}) : w.mul(w));
            columnSums = Tensors.doubles(perFeature.contiguous());
        }
        double[] score = new double[n], mean = new double[f];
        for (int c = 0; c < f; c++) {
            mean[c] = sum[c] / Math.max(1, count);
            double variance = count > 1 ? Math.max(0, (squares[c] - sum[c] * mean[c]) / (count - 1)) : 0;
            score[c / per] += variance * columnNorms[c];
        }
        int[] kept = TopK.indices(score, unit.keep());
        float[] shift = null;
        if (unit.unit().canShift()) {
            boolean[] keep = new boolean[n];
            for (int c : kept) keep[c] = true;
            shift = new float[out];
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int c = 0; c < f; c++) if (!keep[c / per]) s += columnSums[o * f + c] * mean[c];
                shift[o] = (float) s;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Selection(kept, 1f, null, shift, "-", "", new double[0], 0, Double.NaN, null, Double.NaN, seconds, 0, 0);
    }
}
