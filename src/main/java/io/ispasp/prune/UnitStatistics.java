package io.ispasp.prune;

import io.ispasp.api.Target;
import io.ispasp.engine.Gram;
import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Everything the statistics path needs from the calibration data, gathered in ONE streaming pass:
 * activation mass a = sum_p h_p, Gram matrix Gamma = sum_p h_p h_p^T (one SYRK per batch, summed in float64),
 * and for the ORIGINAL target the cross statistics C = sum_p h_p z_p^T, Szz = sum_p z_p z_p^T, zsum, ||z||^2
 * (z = target minus B's bias). Statistics are additive, so batches, devices or machines can be summed.
 * Holds double tensors; {@link #close()} releases them.
 */
public final class UnitStatistics implements AutoCloseable {
    final int groups;
    final int outputs;
    final long rows;
    final Tensor mass;      // [N, 1] double
    final Tensor gram;      // [N, N] double
    final Tensor cross;     // [N, out] double, ORIGINAL only
    final Tensor zz;        // [out, out] double, ORIGINAL only
    final Tensor zsum;      // [out, 1] double, ORIGINAL only
    final double targetSquaredNorm; // ORIGINAL only

    private UnitStatistics(int groups, int outputs, long rows, Tensor mass, Tensor gram, Tensor cross, Tensor zz,
                           Tensor zsum, double targetSquaredNorm) {
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

    /** One pass over the unit's calibration data. */
    public static UnitStatistics gather(UnitContext ctx) {
        boolean original = ctx.options().target() == Target.ORIGINAL;
        int n = ctx.groups(), out = ctx.outputs(), rows = ctx.calibration().size(), batch = ctx.options().batchSize();
        double[] a = new double[n];
        double[] c = original ? new double[n * out] : null;
        double[] zz = original ? new double[out * out] : null;
        double[] zs = original ? new double[out] : null;
        double sq = 0;
        try (Gram gram = new Gram(n)) {
            for (int from = 0; from < rows; from += batch) {
                int to = Math.min(rows, from + batch);
                try (PointerScope scope = new PointerScope()) {
                    Tensor h = ctx.hidden(ctx.input(from, to));
                    Tensors.accumulate(a, Tensors.columnSums(h));
                    gram.add(h);
                    if (original) {
                        Tensor z = ctx.targetMinusBias(from, to, h);
                        Tensors.accumulate(c, h.t().mm(z));
                        Tensors.accumulate(zz, z.t().mm(z));
                        Tensors.accumulate(zs, Tensors.columnSums(z));
                        sq += Tensors.squaredNorm(z);
                    }
                }
            }
            // in a scope too: creating a tensor from an array makes helper objects that must not wait for the GC
            try (PointerScope scope = new PointerScope()) {
                return new UnitStatistics(n, out, rows, Tensors.retained(Tensors.of(a, n, 1)), Tensors.retained(Tensors.of(gram.matrix(), n, n)),
                        original ? Tensors.retained(Tensors.of(c, n, out)) : null, original ? Tensors.retained(Tensors.of(zz, out, out)) : null,
                        original ? Tensors.retained(Tensors.of(zs, out, 1)) : null, sq);
            }
        }
    }

    public boolean hasTargetStatistics() { return cross != null; }

    public double[] activationMass() { return Tensors.doubles(mass); }

    @Override
    public void close() {
        for (Tensor t : new Tensor[] {mass, gram, cross, zz, zsum}) if (t != null) t.releaseReference();
    }
}
