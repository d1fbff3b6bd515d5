package io.ispasp.prune;

import java.util.ArrayList;
import java.util.List;

import io.ispasp.core.Score;
import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The reference path, for every kind of unit: each evaluation computes the residual R = Z - B_lin(H restricted to
 * S) explicitly on the calibration data, batch by batch, and the gradient G = dL/dH = B_lin^T(R) (L = 0.5 ||R||^2
 * through the dense B: R W for a Linear, a transposed convolution for a conv), then reduces G per group to the
 * score. Works for any B and every score and target; costs about D out (N + s) taps multiply-adds per evaluation.
 * <p>Memory: H and Z are kept per batch while they fit in {@code cacheBytes}; beyond it each evaluation streams the
 * calibration data through the prefix again, so nothing has to hold all of a stage's activations.
 */
public final class DirectOracle implements ScoreOracle {
    /** Default cache budget for H and Z (bytes). */
    public static final long DEFAULT_CACHE_BYTES = 1L << 30;

    private final UnitData unit;
    private final Score score;
    private final Tensor weight;
    private final int groups;
    private final int outputs;
    private final double[] mass;
    private final List<Tensor[]> cache = new ArrayList<>();
    private final boolean cached;

    public DirectOracle(UnitData unit, Score score) { this(unit, score, DEFAULT_CACHE_BYTES); }

    public DirectOracle(UnitData unit, Score score, long cacheBytes) {
        this.unit = unit;
        this.score = score;
        this.groups = unit.groups();
        this.outputs = unit.outputs();
        this.mass = new double[groups];
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            this.weight = Tensors.retained(unit.bWeight().contiguous());
            long bytes = 0;
            boolean fits = true;
            int rows = unit.calibration().size(), batch = unit.options().batchSize();
            for (int from = 0; from < rows; from += batch) {
                try (PointerScope inner = new PointerScope()) {
                    int to = Math.min(rows, from + batch);
                    Tensor h = unit.hidden(unit.input(from, to));
                    Tensors.accumulate(mass, Tensors.groupSums(h));
                    bytes += 4 * (h.numel() + h.numel() / groups * outputs);
                    fits &= bytes <= cacheBytes;
                    if (fits) cache.add(new Tensor[] {Tensors.retained(h.contiguous()), Tensors.retained(unit.target(from, to, h).contiguous())});
                }
            }
            this.cached = fits;
            if (!fits) release();
        }
    }

    /** Whether H and Z are held in memory (else each evaluation streams the data again). */
    public boolean cached() { return cached; }

    @Override
    public int groups() { return groups; }

    @Override
    public double[] activationMass() { return mass.clone(); }

    @Override
    public Evaluation evaluate(int[] support, boolean withScores) {
        double[] scores = withScores ? new double[groups] : null;
        double residual = 0;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor weightS = support.length > 0 ? weight.index_select(1, Tensors.indices(support)).contiguous() : null;
            int rows = unit.calibration().size(), batch = unit.options().batchSize();
            for (int b = 0, from = 0; from < rows; b++, from += batch) {
                try (PointerScope inner = new PointerScope()) {
                    Tensor[] hz = batch(b, from, Math.min(rows, from + batch));
                    Tensor h = hz[0], z = hz[1];
                    Tensor r = support.length == 0 ? z : z.sub(unit.bLinear(h, support, weightS));
                    residual += Tensors.squaredNorm(r);
                    if (withScores) {
                        Tensor grad = unit.adjoint(r, weight, h);
                        Tensor reduced = switch (score) {
                            case SIGNED_SUM -> grad;
                            case GROUP_NORM -> grad.mul(grad);
                            case CORRELATION -> h.mul(grad);
                        };
                        Tensors.accumulate(scores, Tensors.groupSums(reduced));
                    }
                }
            }
        }
        if (withScores && score == Score.GROUP_NORM) {
            for (int c = 0; c < groups; c++) scores[c] = Math.sqrt(Math.max(0, scores[c]));
        }
        return new Evaluation(scores, residual);
    }

    /** For the refit of a unit whose B reads one position (a Linear or a 1x1 conv): statistics of the kept groups. */
    @Override
    public KeptStatistics kept(int[] support) {
        if (unit.taps() != 1) throw new UnsupportedOperationException(unit.name() + ": refit needs a Linear or 1x1 B");
        int s = support.length;
        double[] gram = new double[s * s], cross = new double[s * outputs];
        double zz = 0;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor idx = Tensors.indices(support);
            int rows = unit.calibration().size(), batch = unit.options().batchSize();
            for (int b = 0, from = 0; from < rows; b++, from += batch) {
                try (PointerScope inner = new PointerScope()) {
                    Tensor[] hz = batch(b, from, Math.min(rows, from + batch));
                    Tensor hS = Tensors.toDouble(UnitStatistics.rows(hz[0].index_select(1, idx)));
                    Tensor z = Tensors.toDouble(UnitStatistics.rows(hz[1]));
                    Tensors.accumulate(gram, hS.t().mm(hS));
                    Tensors.accumulate(cross, hS.t().mm(z));
                    zz += z.mul(z).sum().item_double();
                }
            }
        }
        return new KeptStatistics(s, outputs, gram, cross, zz);
    }

    private Tensor[] batch(int b, int from, int to) {
        if (cached) return cache.get(b);
        Tensor h = unit.hidden(unit.input(from, to));
        return new Tensor[] {h, unit.target(from, to, h)};
    }

    @Override
    public void close() {
        release();
        weight.releaseReference();
    }

    private void release() {
        for (Tensor[] t : cache) {
            t[0].releaseReference();
            t[1].releaseReference();
        }
        cache.clear();
    }
}
