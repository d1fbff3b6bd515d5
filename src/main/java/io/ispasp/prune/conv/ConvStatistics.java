package io.ispasp.prune.conv;

import io.ispasp.engine.Tensors;
import io.ispasp.kernels.Kernels;
import io.ispasp.kernels.StatisticsAccumulator;
import io.ispasp.kernels.UnitInputs;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The statistics of a conv unit, gathered in ONE streaming pass over the calibration images (SPEC section 3).
 * Each output position is one row; its features are the values B's conv reads at that position:
 * <ul>
 *   <li>1x1 B: the N hidden values h_p, so the unit is exactly a Linear unit over positions;</li>
 *   <li>3x3 B (stride 1, padding 1): the 9N values of the zero-padded 3x3 patch u_p (im2col order: feature
 *       9c + k is channel c at tap k). The patch Gram sum_p u_p u_p^T holds Gamma for every pair of taps, and
 *       B is the linear map kappa * W reshaped to [out, 9N]. The signed-sum score also needs, per tap k, the
 *       patch sums over the output positions where tap k reads inside the map: {@code tapSums} [9N x 9].</li>
 * </ul>
 * Activation mass a[c] = sum of H[c] over the data and positions (the centre tap of the patches).
 */
public final class ConvStatistics {
    final int groups;
    final int taps;
    final int outputs;
    final double[] mass;        // [N]
    final double[] gram;        // [taps N, taps N]
    final double[] featureMass; // [taps N]
    final double[] weight;      // [out, taps N], kappa folded in
    final double[] tapSums;     // [9N, 9], 3x3 only

    private ConvStatistics(int groups, int taps, int outputs, double[] mass, double[] gram, double[] featureMass,
                           double[] weight, double[] tapSums) {
        this.groups = groups;
        this.taps = taps;
        this.outputs = outputs;
        this.mass = mass;
        this.gram = gram;
        this.featureMass = featureMass;
        this.weight = weight;
        this.tapSums = tapSums;
    }

    /** One pass over the unit's calibration images with the given kernels' accumulator (float64 sums). */
    public static ConvStatistics gather(ConvUnit unit, Kernels kernels) {
        int n = unit.groups(), taps = unit.taps(), features = taps * n;
        if (taps != 1 && taps != 9) throw new IllegalArgumentException("unsupported kernel taps " + taps);
        int rows = unit.calibration().size(), batch = unit.options().batchSize();
        double[] tapSums = taps == 9 ? new double[features * 9] : null;
        StatisticsAccumulator.Result r;
        try (StatisticsAccumulator acc = kernels.statistics(features, true); NoGradGuard g = new NoGradGuard()) {
            for (int from = 0; from < rows; from += batch) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor h = unit.hidden(unit.input(from, Math.min(rows, from + batch)));
                    Tensor f = features(h, taps);                            // [n, features, P]
                    Tensor flat = f.permute(0, 2, 1).reshape(-1, features).contiguous();
                    acc.add(flat.data_ptr_float(), flat.size(0));
                    if (taps == 9) {
                        Tensor valid = validTaps(h.size(2), h.size(3));     // [P, 9]
                        Tensors.accumulate(tapSums, Tensors.toDouble(f.sum(0)).mm(valid));
                    }
                }
            }
            r = acc.result();
        }
        double[] mass = new double[n];
        for (int c = 0; c < n; c++) mass[c] = r.mass()[c * taps + taps / 2]; // the centre tap reads H itself
        double[] w;
        try (PointerScope scope = new PointerScope()) {
            w = Tensors.doubles(unit.net().outputWeight(unit.unit()).reshape(unit.outputs(), features));
        }
        return new ConvStatistics(n, taps, unit.outputs(), mass, r.gram(), r.mass(), w, tapSums);
    }

    /** The unit kernel's inputs at feature level (CURRENT target: z = W' u). */
    public UnitInputs inputs() {
        return UnitInputs.current(groups * taps, outputs, gram, featureMass, weight);
    }

    public double[] activationMass() { return mass.clone(); }

    /** [n, taps N, P]: H itself (1x1) or its zero-padded 3x3 patches (im2col). */
    static Tensor features(Tensor h, int taps) {
        if (taps == 1) return h.reshape(h.size(0), h.size(1), -1);
        return torch.im2col(h, new long[] {3, 3}, new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1});
    }

    /** [P, 9] float64: 1 where tap k of the 3x3 window at output position p reads inside the map. */
    static Tensor validTaps(long height, long width) {
        double[] v = new double[(int) (height * width * 9)];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int k = 0; k < 9; k++) {
                    int yy = y + k / 3 - 1, xx = x + k % 3 - 1;
                    if (yy >= 0 && yy < height && xx >= 0 && xx < width) v[(int) ((y * width + x) * 9 + k)] = 1;
                }
            }
        }
        return Tensors.of(v, height * width, 9);
    }
}
