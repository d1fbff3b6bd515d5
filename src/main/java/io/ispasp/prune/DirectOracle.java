package io.ispasp.prune;

import java.util.ArrayList;
import java.util.List;

import io.ispasp.core.Score;
import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

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
    private GroupGrams groupGrams;

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
                    Tensors.accumulate(mass, unit.groupSums(h));
                    bytes += 4 * (h.numel() + h.numel() / h.size(1) * outputs);
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
            Tensor weightS = support.length > 0 ? weight.index_select(1, unit.hiddenIndices(support)).contiguous() : null;
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
                        Tensors.accumulate(scores, unit.groupSums(reduced));
                    }
                }
            }
        }
        if (withScores && score == Score.GROUP_NORM) {
            for (int c = 0; c < groups; c++) scores[c] = Math.sqrt(Math.max(0, scores[c]));
        }
        return new Evaluation(scores, residual);
    }

    /**
     * One pass over the data: the features B reads from the groups of {@code support} at each output position (H_S
     * itself for a Linear or a 1x1 conv with stride 1, else its zero-padded, strided k x k patches) against the
     * target there.
     */
    @Override
    public KeptStatistics kept(int[] support) {
        int taps = unit.taps(), f = support.length * taps;
        double[] gram = new double[f * f], cross = new double[f * outputs], fsum = new double[f], tsum = new double[outputs];
        double zz = 0;
        long rowsSeen = 0;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor idx = unit.hiddenIndices(support);
            int rows = unit.calibration().size(), batch = unit.options().batchSize();
            for (int b = 0, from = 0; from < rows; b++, from += batch) {
                try (PointerScope inner = new PointerScope()) {
                    Tensor[] hz = batch(b, from, Math.min(rows, from + batch));
                    Tensor u = Tensors.toDouble(features(hz[0].index_select(1, idx)));
                    Tensor z = Tensors.toDouble(UnitStatistics.rows(hz[1]));
                    Tensors.accumulate(gram, u.t().mm(u));
                    Tensors.accumulate(cross, u.t().mm(z));
                    Tensors.accumulate(fsum, Tensors.columnSums(u));
                    Tensors.accumulate(tsum, Tensors.columnSums(z));
                    zz += z.mul(z).sum().item_double();
                    rowsSeen += u.size(0);
                }
            }
        }
        return new KeptStatistics(f, outputs, gram, cross, zz, fsum, tsum, rowsSeen);
    }

    /** One pass (once; remembered): per group, the Gram of its own features (the {@code kept} features of each group alone). */
    @Override
    public GroupGrams groupGrams() {
        if (groupGrams == null) groupGrams = gatherGroupGrams();
        return groupGrams;
    }

    private GroupGrams gatherGroupGrams() {
        int taps = unit.taps();
        double[] blocks = new double[groups * taps * taps], fsum = new double[groups * taps];
        long rowsSeen = 0;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            int rows = unit.calibration().size(), batch = unit.options().batchSize();
            for (int b = 0, from = 0; from < rows; b++, from += batch) {
                try (PointerScope inner = new PointerScope()) {
                    Tensor u = Tensors.toDouble(features(batch(b, from, Math.min(rows, from + batch))[0]));
                    Tensor perGroup = u.reshape(u.size(0), groups, taps).permute(1, 2, 0);            // [N, taps, rows]
                    Tensors.accumulate(blocks, perGroup.bmm(perGroup.transpose(1, 2)));
                    Tensors.accumulate(fsum, Tensors.columnSums(u));
                    rowsSeen += u.size(0);
                }
            }
        }
        return new GroupGrams(taps, blocks, fsum, rowsSeen);
    }

    /** The rows B reads from {@code h}: [positions, channels x taps], channel-major (B's weight order). */
    private Tensor features(Tensor h) {
        if (!unit.convolutional() || (unit.taps() == 1 && unit.stride() == 1)) return UnitStatistics.rows(h);
        long k = unit.unit().kernel(), pad = unit.unit().padding(), st = unit.stride();
        Tensor cols = torch.im2col(h.contiguous(), new long[] {k, k}, new long[] {1, 1}, new long[] {pad, pad}, new long[] {st, st});
        return cols.permute(0, 2, 1).reshape(-1, cols.size(1));
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
