package io.ispasp.prune;

import io.ispasp.core.Score;
import io.ispasp.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The reference statistics path (libtorch ops, float64), which the native kernels are checked against: answers
 * every evaluation from {@link UnitStatistics} without touching the data again. With B's weight W [out, N],
 * M = W^T W, CW = C W (C = sum_p h_p z_p^T; for the CURRENT target z = W h so CW = Gamma M), E = Gamma o M, and S
 * the support (m its mask):
 * <pre>
 *   signed-sum    g   = W^T zsum - M[:,S] a[S]
 *   correlation   g   = diag(CW) - rowsum(E[:,S])
 *   group-norm    g^2 = q - 2 rowsum(M[:,S] o CW[S,:]^T) + rowsum((M[:,S] Gamma[S,S]) o M[:,S]),  q = diag(W^T Szz W)
 *   ||R||^2           = ||z||^2 - 2 sum_{j in S} diag(CW)_j + sum(E[S,S])
 * </pre>
 * These expand the D-masked forms (g = M (a o (1-m)), g^2 = diag(M D Gamma D M), ...; docs/design.md, section
 * "Statistics path: Linear and 1x1 B") so each evaluation costs O(N s) (O(N s^2) for group-norm) after an
 * O(N^2 out) set-up (+ N^3 for group-norm). All in float64.
 */
public final class StatisticsOracle implements ScoreOracle {
    private final Score score;
    private final int groups;
    private final int outputs;
    private final double[] mass;
    private final Tensor massT;     // [N,1]
    private final Tensor gram;      // [N,N]
    private final Tensor m;         // [N,N]
    private final Tensor cw;        // [N,N], null when not needed
    private final Tensor e;         // [N,N]
    private final Tensor diagCw;    // [N]
    private final Tensor zsumW;     // [N]
    private final Tensor q;         // [N], group-norm only
    private final Tensor w;         // [out,N]
    private final Tensor cross;     // [N,out] or null (CURRENT: derived on demand as Gamma W^T)
    private final double zz;
    private final UnitStatistics stats;

    public StatisticsOracle(UnitStatistics stats, Tensor bWeight, Score score) {
        this.score = score;
        this.groups = stats.groups;
        this.outputs = stats.outputs;
        this.mass = stats.activationMass();
        this.stats = stats;
        try (PointerScope scope = new PointerScope()) {
            w = Tensors.retained(Tensors.toDouble(bWeight).contiguous());
            massT = Tensors.retained(Tensors.of(stats.mass, groups, 1));
            gram = Tensors.retained(Tensors.of(stats.gram, groups, groups));
            m = Tensors.retained(w.t().mm(w));
            e = Tensors.retained(gram.mul(m));
            if (stats.hasTargetStatistics()) {
                cross = Tensors.retained(Tensors.of(stats.cross, groups, outputs));
                cw = Tensors.retained(cross.mm(w));
                zsumW = Tensors.retained(w.t().mm(Tensors.of(stats.zsum, outputs, 1)).view(groups));
                q = Tensors.retained(Tensors.of(stats.zz, outputs, outputs).mm(w).mul(w).sum(0));
                zz = stats.targetSquaredNorm;
            } else {
                // CURRENT target: z = W h, so CW = Gamma M and diag(CW) = rowsum(E). Only group-norm needs CW
                // itself (and q = diag(M Gamma M)); the other scores skip that N^3 product.
                cross = null;
                cw = score == Score.GROUP_NORM ? Tensors.retained(gram.mm(m)) : null;
                zsumW = Tensors.retained(m.mm(massT).view(groups));
                q = cw != null ? Tensors.retained(cw.mul(m).sum(0)) : null;
                zz = e.sum().item_double();
            }
            diagCw = Tensors.retained(cw != null ? cw.diagonal().contiguous() : e.sum(1));
        }
    }

    @Override
    public int groups() { return groups; }

    @Override
    public double[] activationMass() { return mass.clone(); }

    @Override
    public Evaluation evaluate(int[] support, boolean withScores) {
        try (PointerScope scope = new PointerScope()) {
            if (support.length == 0) {
                double[] g = null;
                if (withScores) {
                    g = switch (score) {
                        case SIGNED_SUM -> Tensors.doubles(zsumW);
                        case CORRELATION -> Tensors.doubles(diagCw);
                        case GROUP_NORM -> sqrt(Tensors.doubles(q));
                    };
                }
                return new Evaluation(g, zz);
            }
            Tensor idx = Tensors.indices(support);
            Tensor eSS = e.index_select(0, idx).index_select(1, idx);
            double residual = zz - 2 * diagCw.index_select(0, idx).sum().item_double() + eSS.sum().item_double();
            double[] g = null;
            if (withScores) {
                Tensor mS = m.index_select(1, idx);
                g = switch (score) {
                    case SIGNED_SUM -> Tensors.doubles(zsumW.sub(mS.mm(massT.index_select(0, idx)).view(groups)));
                    case CORRELATION -> Tensors.doubles(diagCw.sub(e.index_select(1, idx).sum(1)));
                    case GROUP_NORM -> {
                        Tensor gSS = gram.index_select(0, idx).index_select(1, idx);
                        Tensor cross2 = mS.mul(cw.index_select(0, idx).t()).sum(1);
                        Tensor quad = mS.mm(gSS).mul(mS).sum(1);
                        yield sqrt(Tensors.doubles(q.sub(cross2.mul(new org.bytedeco.pytorch.Scalar(2.0))).add(quad)));
                    }
                };
            }
            return new Evaluation(g, residual);
        }
    }

    @Override
    public GroupGrams groupGrams() {
        return stats.groupGrams();
    }

    @Override
    public KeptStatistics kept(int[] support) {
        int s = support.length;
        try (PointerScope scope = new PointerScope()) {
            Tensor idx = Tensors.indices(support);
            Tensor gSS = gram.index_select(0, idx).index_select(1, idx);
            Tensor cS = cross != null ? cross.index_select(0, idx) : gram.index_select(0, idx).mm(w.t());
            return new KeptStatistics(s, outputs, Tensors.doubles(gSS), Tensors.doubles(cS), zz, stats.featureSums(support),
                    stats.targetSums(), stats.rows());
        }
    }

    private static double[] sqrt(double[] v) {
        for (int i = 0; i < v.length; i++) v[i] = Math.sqrt(Math.max(0, v[i]));
        return v;
    }

    @Override
    public void close() {
        for (Tensor t : new Tensor[] {massT, gram, m, cw, e, diagCw, zsumW, q, w, cross}) if (t != null) t.releaseReference();
    }
}
