package io.ispasp.prune;

import io.ispasp.core.Score;
import io.ispasp.engine.Tensors;
import io.ispasp.kernels.UnitKernel;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The statistics path of a unit whose B is a 3x3 conv (stride 1, padding 1), from {@link UnitStatistics}: a
 * feature-level unit kernel over the 9N patch features answers ||R||^2 (and the correlation score, summed over
 * each channel's 9 taps) for the support expanded to its channels' features. The signed-sum score is
 * g = Q (1 - m) with Q[c, c'] = sum_{k, k'} M[(c,k), (c',k')] T[(c',k'), k], M = W'^T W' and T the per-tap patch
 * sums: the gradient summed over the positions where it reaches H (docs/design.md, section
 * "Statistics path: 3x3 B").
 * Group-norm would need statistics across positions, not only within a patch, so it stays on the direct path.
 * The authors' loop runs whole in one native call over the channels ({@link #run}). Owns the kernel.
 */
public final class PatchOracle implements ScoreOracle, FusedLoop {
    private final UnitKernel kernel;
    private final Score score;
    private final int groups;
    private final double[] mass;
    private final double[] q;   // [N, N], signed-sum only
    private final UnitStatistics stats;

    public PatchOracle(UnitStatistics stats, UnitKernel kernel, Score score) {
        if (stats.taps != 9) throw new IllegalArgumentException("patch oracle needs a 3x3 unit");
        if (score == Score.GROUP_NORM) throw new IllegalArgumentException("group-norm has no statistics path for a 3x3 B; use the direct path");
        this.kernel = kernel;
        this.score = score;
        this.groups = stats.groups;
        this.mass = stats.activationMass();
        this.q = score == Score.SIGNED_SUM ? signedSumMatrix(stats) : null;
        this.stats = stats;
    }

    @Override
    public int groups() { return groups; }

    @Override
    public double[] activationMass() { return mass.clone(); }

    @Override
    public Evaluation evaluate(int[] support, boolean withScores) {
        int[] features = UnitStatistics.features(support, 9);
        boolean featureScores = withScores && score == Score.CORRELATION;
        UnitKernel.Evaluation e = kernel.evaluate(features, featureScores);
        if (!withScores) return new Evaluation(null, e.residual());
        double[] g = new double[groups];
        if (featureScores) {
            for (int c = 0; c < groups; c++) for (int k = 0; k < 9; k++) g[c] += e.scores()[c * 9 + k];
        } else {
            boolean[] kept = new boolean[groups];
            for (int c : support) kept[c] = true;
            for (int c = 0; c < groups; c++) {
                double sum = 0;
                for (int d = 0; d < groups; d++) if (!kept[d]) sum += q[c * groups + d];
                g[c] = sum;
            }
        }
        return new Evaluation(g, e.residual());
    }

    @Override
    public GroupGrams groupGrams() {
        return stats.groupGrams();
    }

    /** The patch features (9 per group, tap order) of the kept groups, from the gathered patch statistics. */
    @Override
    public KeptStatistics kept(int[] support) {
        UnitKernel.Kept k = kernel.kept(UnitStatistics.features(support, 9));
        double zz = kernel.evaluate(new int[0], false).residual();
        return new KeptStatistics(support.length * 9, stats.outputs, k.gram(), k.cross(), zz, stats.featureSums(support),
                stats.targetSums(), stats.rows);
    }

    /** The loop over channels in one native call (kernels.h, item 7): the same answers as {@link #evaluate} gives the Java loop. */
    @Override
    public IspaspSelector.Loop run(int keep, int iterations, boolean earlyStop) {
        return FusedLoop.of(kernel.runGroups(9, mass, q, keep, iterations, earlyStop));
    }

    @Override
    public void close() {
        kernel.close();
    }

    /** Q = sum over taps k, k' of M[c,k,c',k'] T[c',k',k], in float64 with libtorch. */
    static double[] signedSumMatrix(UnitStatistics s) {
        int n = s.groups, f = 9 * n;
        try (PointerScope scope = new PointerScope()) {
            Tensor w = Tensors.of(s.weight, s.outputs, f);
            Tensor m = w.t().mm(w).reshape(n, 9, n, 9).permute(0, 2, 1, 3);        // [c, c', k, k']
            Tensor t = Tensors.of(s.tapSums, n, 9, 9).permute(0, 2, 1);             // [c', k, k']
            return Tensors.doubles(m.mul(t.unsqueeze(0)).sum(new long[] {2, 3}, false,
                    new org.bytedeco.pytorch.ScalarTypeOptional(org.bytedeco.pytorch.global.torch.ScalarType.Double)));
        }
    }
}
