package io.ispasp.prune;

import io.ispasp.engine.Gram;
import io.ispasp.engine.PatchGram;
import io.ispasp.engine.PatchRows;
import io.ispasp.engine.Tensors;
import io.ispasp.kernels.StatisticsAccumulator;
import io.ispasp.kernels.UnitInputs;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Everything the statistics path needs from the calibration data, gathered in ONE streaming pass. Each row is
 * one position at which B reads H, and its features are the values B reads there:
 * <ul>
 *   <li>B a Linear or a 1x1 conv: the N hidden values h_p (a 1x1 conv is a Linear over positions);</li>
 *   <li>B a 3x3 conv with stride 1 and padding 1: the 9N values of the zero-padded 3x3 patch u_p (im2col order:
 *       feature 9c + k is channel c at tap k). The patch Gram holds Gamma for every pair of taps, B is kappa W
 *       reshaped to [out, 9N], and the signed-sum score also needs, per tap k, the patch sums over the output
 *       positions where tap k reads inside the map ({@code tapSums} [9N x 9]).</li>
 * </ul>
 * Gathered: the feature mass and Gram (by a {@link StatisticsAccumulator}: the native kernels or the BLAS
 * reference) and, for the ORIGINAL target, C = sum_p u_p z_p^T (features x out), Szz = sum_p z_p z_p^T, zsum and
 * ||z||^2 (a 3x3 B: for the correlation score; the signed-sum matrix below assumes the CURRENT target). Statistics
 * are additive, so batches, devices or machines can be summed. Products are float32 over at most 4096 rows, summed in
 * float64 ({@link Gram#accumulateProducts}), the precision of the Gram. Plain float64 arrays, row-major.
 */
public final class UnitStatistics {
    final int groups;
    final int taps;
    final int outputs;
    final double[] mass;        // [N]
    final double[] featureMass; // [taps N]
    final double[] gram;        // [taps N, taps N]
    final double[] weight;      // [out, taps N], kappa folded in
    final double[] tapSums;     // [9N, 9], 3x3 only
    final double[] cross;       // [taps N, out], ORIGINAL only
    final double[] zz;          // [out, out], ORIGINAL only
    final double[] zsum;        // [out], ORIGINAL only
    final double targetSquaredNorm; // ORIGINAL only
    final long rows;            // feature rows gathered (samples x positions)
    private final double[] targetSums; // [out]: zsum, or W' times the feature sums for the CURRENT target

    private UnitStatistics(int groups, int taps, int outputs, double[] mass, double[] featureMass, double[] gram,
                           double[] weight, double[] tapSums, double[] cross, double[] zz, double[] zsum, double sq,
                           long rows) {
        this.groups = groups;
        this.taps = taps;
        this.outputs = outputs;
        this.mass = mass;
        this.featureMass = featureMass;
        this.gram = gram;
        this.weight = weight;
        this.tapSums = tapSums;
        this.cross = cross;
        this.zz = zz;
        this.zsum = zsum;
        this.targetSquaredNorm = sq;
        this.rows = rows;
        this.targetSums = zsum != null ? zsum : currentTargetSums(weight, featureMass, outputs);
    }

    /** Whether the statistics path applies to {@code unit}, or why not (null when it does). */
    public static String unsupported(UnitData unit) {
        if (unit.taps() == 1) return null;
        if (!unit.convolutional()) {
            return "B reads groups of " + unit.taps() + " columns (attention heads): the statistics path handles single"
                    + " columns or 3x3 patches; the direct path is cheap with so few groups";
        }
        if (unit.taps() != 9 || unit.stride() != 1) {
            return "B is a " + unit.unit().kernel() + "x" + unit.unit().kernel() + " conv with stride " + unit.stride()
                    + ": the patch statistics need a 3x3 conv with stride 1";
        }
        if (!unit.targetIsCurrent() && unit.options().score() == io.ispasp.core.Score.SIGNED_SUM) {
            return "the signed-sum score with the ORIGINAL target of a 3x3 B has no statistics path";
        }
        return null;
    }

    /** One pass with the reference accumulator (BLAS SYRK, float64 sums). */
    public static UnitStatistics gather(UnitData unit) {
        try (Gram gram = new Gram(unit.groups() * unit.taps())) {
            return gather(unit, gram);
        }
    }

    /**
     * One pass over the unit's calibration data; the feature Gram and mass by {@code acc} (which the caller closes),
     * from H's rows, or for a 3x3 B from the patch rows.
     */
    public static UnitStatistics gather(UnitData unit, StatisticsAccumulator acc) {
        int features = unit.taps() * unit.groups();
        if (acc.groups() != features) throw new IllegalArgumentException("accumulator has " + acc.groups() + " features, unit " + features);
        return gather(unit, new Sink() {
            @Override
            public void add(Tensor h, Tensor z, double[] cross) {
                if (unit.taps() != 1) {
                    addPatches(h, z, acc, cross);
                    return;
                }
                Tensor u = UnitStatistics.rows(h).to(ScalarType.Float).contiguous();   // [rows, N]
                acc.add(u.data_ptr_float(), u.size(0));
                if (z != null) Gram.accumulateProducts(cross, u, z);
            }

            @Override
            public long rows() { return acc.rows(); }

            @Override
            public StatisticsAccumulator.Result result() { return acc.result(); }
        });
    }

    /**
     * One pass over the calibration data of a unit with a 3x3 B, its patch statistics by {@code patches} (which the
     * caller closes) straight from H, without patch rows: the CPU's faster route to the same sums.
     */
    public static UnitStatistics gather(UnitData unit, PatchGram patches) {
        if (unit.taps() != 9 || patches.channels() != unit.groups()) {
            throw new IllegalArgumentException(unit.name() + ": patch statistics of " + patches.channels() + " channels for a unit of "
                    + unit.groups() + " groups and " + unit.taps() + " taps");
        }
        return gather(unit, new Sink() {
            @Override
            public void add(Tensor h, Tensor z, double[] cross) { patches.add(h, z, cross); }

            @Override
            public long rows() { return patches.rows(); }

            @Override
            public StatisticsAccumulator.Result result() { return patches.result(); }
        });
    }

    /** Where a batch's H (and target rows z, or null) goes: feature mass, Gram and the cross sums u^T z into {@code cross}. */
    private interface Sink {
        void add(Tensor h, Tensor z, double[] cross);

        long rows();

        StatisticsAccumulator.Result result();
    }

    private static UnitStatistics gather(UnitData unit, Sink sink) {
        String why = unsupported(unit);
        if (why != null) throw new IllegalArgumentException(unit.name() + ": " + why);
        int n = unit.groups(), taps = unit.taps(), features = taps * n, out = unit.outputs();
        boolean original = !unit.targetIsCurrent();
        double[] c = original ? new double[features * out] : null;
        double[] zz = original ? new double[out * out] : null;
        double[] zs = original ? new double[out] : null;
        double[] tapSums = taps == 9 ? new double[features * 9] : null;
        double sq = 0;
        int rows = unit.calibration().size(), batch = unit.options().batchSize();
        try (NoGradGuard g = new NoGradGuard()) {
            for (int from = 0; from < rows; from += batch) {
                int to = Math.min(rows, from + batch);
                try (PointerScope scope = new PointerScope()) {
                    Tensor h = unit.hidden(unit.input(from, to));
                    Tensor z = original ? rows(unit.target(from, to, h)) : null;                // [rows, out]
                    sink.add(h, z, c);
                    if (taps == 9) {
                        // H summed over the images like every other sum here (a float64 reduction took 158 ms per batch at 56 x 56)
                        Tensor overImages = Gram.columnSums(h.to(ScalarType.Float).contiguous().reshape(h.size(0), -1))
                                .reshape(1, h.size(1), h.size(2), h.size(3));
                        Tensor summed = torch.im2col(overImages, new long[] {3, 3}, new long[] {1, 1}, new long[] {1, 1},
                                new long[] {1, 1}).select(0, 0);                                          // [9N, P]
                        Tensors.accumulate(tapSums, summed.mm(validTaps(h.size(2), h.size(3))));
                    }
                    if (original) {
                        Gram.accumulateProducts(zz, z, z);
                        Tensors.accumulate(zs, Gram.columnSums(z));
                    }
                }
            }
        }
        for (int o = 0; original && o < out; o++) sq += zz[o * out + o];   // ||z||^2 is the trace of sum z z^T
        long gathered = sink.rows();
        StatisticsAccumulator.Result r = sink.result();
        double[] featureMass = r.mass(), gram = r.gram();
        if (taps == 9) {   // the patch rows were tap-major
            featureMass = PatchRows.toChannelMajor(featureMass, n);
            gram = PatchRows.toChannelMajorSquare(gram, n);
            if (c != null) c = PatchRows.toChannelMajorRows(c, n, out);
        }
        double[] mass = new double[n];
        for (int ch = 0; ch < n; ch++) mass[ch] = featureMass[ch * taps + taps / 2]; // the centre tap reads H itself
        double[] w;
        try (PointerScope scope = new PointerScope()) {
            w = Tensors.doubles(unit.bWeight().reshape(out, features));
        }
        return new UnitStatistics(n, taps, out, mass, featureMass, gram, w, tapSums, c, zz, zs, sq, gathered);
    }

    /**
     * The 3x3 patch rows of {@code h} into {@code acc} (and u z^T into {@code cross} [9N, out] when {@code z} is given),
     * tap-major, a few images at a time ({@link PatchRows}).
     */
    private static void addPatches(Tensor h, Tensor z, StatisticsAccumulator acc, double[] cross) {
        long images = h.size(0), positions = h.size(2) * h.size(3);
        int chunk = PatchRows.imagesPerChunk(h.size(1), h.size(2), h.size(3));
        for (long i = 0; i < images; i += chunk) {
            try (PointerScope scope = new PointerScope()) {
                long k = Math.min(chunk, images - i);
                Tensor u = PatchRows.tapMajor(h.narrow(0, i, k));                              // [k P, 9N]
                acc.add(u.data_ptr_float(), u.size(0));
                if (z != null) Gram.accumulateProducts(cross, u, z.narrow(0, i * positions, k * positions));
            }
        }
    }

    /** H as rows: [D, N] as it is, [n, N, h, w] as [n h w, N] (one row per position). */
    static Tensor rows(Tensor h) {
        return h.dim() == 2 ? h : h.permute(0, 2, 3, 1).reshape(-1, h.size(1));
    }

    public boolean hasTargetStatistics() { return cross != null; }

    public double[] activationMass() { return mass.clone(); }

    /** Rows gathered: samples x positions. */
    public long rows() { return rows; }

    /** sum_p z_p [out]: gathered for the ORIGINAL target; W' times the feature sums for the CURRENT one (z = W' u). */
    public double[] targetSums() { return targetSums.clone(); }

    private static double[] currentTargetSums(double[] weight, double[] featureMass, int outputs) {
        int f = featureMass.length;
        double[] t = new double[outputs];
        for (int o = 0; o < outputs; o++) {
            double sum = 0;
            for (int i = 0; i < f; i++) sum += weight[o * f + i] * featureMass[i];
            t[o] = sum;
        }
        return t;
    }

    /** The diagonal taps x taps blocks of the feature Gram, the feature sums and the rows. */
    ScoreOracle.GroupGrams groupGrams() {
        return ScoreOracle.GroupGrams.of(gram, taps, featureMass.clone(), rows);
    }

    /** The feature sums (sum_p u_p) of the features of {@code support}'s groups, in feature order. */
    double[] featureSums(int[] support) {
        int[] features = features(support, taps);
        double[] v = new double[features.length];
        for (int i = 0; i < v.length; i++) v[i] = featureMass[features[i]];
        return v;
    }

    /** The feature indices of {@code support}'s groups: group c's taps are features c taps .. c taps + taps - 1. */
    static int[] features(int[] support, int taps) {
        int[] features = new int[support.length * taps];
        for (int i = 0; i < support.length; i++) for (int k = 0; k < taps; k++) features[i * taps + k] = support[i] * taps + k;
        return features;
    }

    /** The inputs of a unit kernel at feature level (for a 3x3 B: the patch features). */
    public UnitInputs inputs() {
        if (taps == 1) return new UnitInputs(groups, outputs, gram, mass, weight, cross, zsum, zz, targetSquaredNorm);
        if (cross != null) return new UnitInputs(groups * taps, outputs, gram, featureMass, weight, cross, zsum, zz, targetSquaredNorm);
        return UnitInputs.current(groups * taps, outputs, gram, featureMass, weight);
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
