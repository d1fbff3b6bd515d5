package io.ispasp.prune;

import io.ispasp.core.Target;
import io.ispasp.engine.Gram;
import io.ispasp.engine.Tensors;
import io.ispasp.kernels.StatisticsAccumulator;
import io.ispasp.kernels.UnitInputs;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Everything the statistics path needs from the calibration data, gathered in ONE streaming pass:
 * activation mass a = sum_p h_p, Gram matrix Gamma = sum_p h_p h_p^T (by a {@link StatisticsAccumulator}: the
 * native kernels or the BLAS reference), and for the ORIGINAL target the cross statistics C = sum_p h_p z_p^T,
 * Szz = sum_p z_p z_p^T, zsum, ||z||^2 (z = target minus B's bias; libtorch, they cost N out per row, not N^2).
 * Statistics are additive, so batches, devices or machines can be summed. Plain float64 arrays, row-major.
 */
public final class UnitStatistics {
    final int groups;
    final int outputs;
    final long rows;
    final double[] mass;      // [N]
    final double[] gram;      // [N, N]
    final double[] cross;     // [N, out], ORIGINAL only
    final double[] zz;        // [out, out], ORIGINAL only
    final double[] zsum;      // [out], ORIGINAL only
    final double targetSquaredNorm; // ORIGINAL only

    private UnitStatistics(int groups, int outputs, long rows, double[] mass, double[] gram, double[] cross,
                           double[] zz, double[] zsum, double targetSquaredNorm) {
        this.groups = groups;
        this.outputs = outputs;
        this.rows = rows;
        this.mass = mass;
        this.gram = gram;
        this.cross = cross;
        this.zz = zz;
        this.zsum = zsum;
        this.targetSquaredNorm = targetSquaredNorm;
    }

    /** One pass with the reference accumulator (BLAS SYRK, float64 sums). */
    public static UnitStatistics gather(UnitContext ctx) {
        try (Gram gram = new Gram(ctx.groups())) {
            return gather(ctx, gram);
        }
    }

    /** One pass over the unit's calibration data, Gamma and a by {@code acc} (which the caller closes). */
    public static UnitStatistics gather(UnitContext ctx, StatisticsAccumulator acc) {
        boolean original = ctx.options().target() == Target.ORIGINAL;
        int n = ctx.groups(), out = ctx.outputs(), rows = ctx.calibration().size(), batch = ctx.options().batchSize();
        if (acc.groups() != n) throw new IllegalArgumentException("accumulator has " + acc.groups() + " groups, unit " + n);
        double[] c = original ? new double[n * out] : null;
        double[] zz = original ? new double[out * out] : null;
        double[] zs = original ? new double[out] : null;
        double sq = 0;
        for (int from = 0; from < rows; from += batch) {
            int to = Math.min(rows, from + batch);
            try (PointerScope scope = new PointerScope()) {
                Tensor h = ctx.hidden(ctx.input(from, to));
                Tensor hf = h.to(ScalarType.Float).contiguous();
                acc.add(hf.data_ptr_float(), to - from);
                if (original) {
                    Tensor z = ctx.targetMinusBias(from, to, h);
                    Tensors.accumulate(c, h.t().mm(z));
                    Tensors.accumulate(zz, z.t().mm(z));
                    Tensors.accumulate(zs, Tensors.columnSums(z));
                    sq += Tensors.squaredNorm(z);
                }
            }
        }
        StatisticsAccumulator.Result r = acc.result();
        return new UnitStatistics(n, out, rows, r.mass(), r.gram(), c, zz, zs, sq);
    }

    public boolean hasTargetStatistics() { return cross != null; }

    public double[] activationMass() { return mass.clone(); }

    /** The inputs of a unit kernel: these statistics with B's weight W [out, N]. */
    public UnitInputs inputs(Tensor bWeight) {
        double[] w;
        try (PointerScope scope = new PointerScope()) {
            w = Tensors.doubles(bWeight);
        }
        return new UnitInputs(groups, outputs, gram, mass, w, cross, zsum, zz, targetSquaredNorm);
    }
}
