package io.ispasp.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.engine.Cancellation;
import io.ispasp.kernels.Backends;
import io.ispasp.kernels.Kernels;
import io.ispasp.kernels.StatisticsAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * i-SpaSP on one unit of any kind (docs/design.md): T times, score every group against the residual of the current
 * support, take the top 2s, merge with the support, and keep the s groups of the union with the largest activation
 * mass. The scores come from a {@link ScoreOracle}; the path (direct or statistics) is chosen per unit by
 * {@link CostModel}. With {@code refit}, B's kept columns are refit by ridge least squares where B reads one
 * position (a Linear or a 1x1 conv); a 3x3 B keeps its columns and the path reason says so.
 */
public final class IspaspSelector implements Selector {
    private static final Logger LOG = LoggerFactory.getLogger(IspaspSelector.class);

    @Override
    public Selection select(UnitData unit) {
        PruneOptions o = unit.options();
        CostModel.Choice choice = CostModel.choose(o.path(), unit.rows(), unit.groups(), unit.keep(), unit.outputs(),
                unit.taps(), o.iterations(), o.score(), o.target(), UnitStatistics.unsupported(unit));
        boolean refit = o.refit() && unit.taps() == 1;
        String reason = choice.reason() + (o.refit() && !refit ? "; no refit: B is a " + unit.unit().kernel() + "x"
                + unit.unit().kernel() + " conv (refit needs a Linear or 1x1 B)" : "");
        LOG.info("{}: N={} s={} out={} taps={} -> {} path ({})", unit.name(), unit.groups(), unit.keep(), unit.outputs(),
                unit.taps(), choice.path().cliName(), reason);
        long t0 = System.nanoTime();
        try (ScoreOracle oracle = open(unit, choice.path())) {
            double dataSeconds = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            Loop loop = oracle instanceof NativeOracle fused
                    ? fused.run(unit.keep(), o.iterations(), o.earlyStop())
                    : run(oracle, unit.keep(), o.iterations(), o.earlyStop());
            Refit.Result r = refit ? Refit.solve(oracle.kept(loop.support()), o.refitLambda()) : null;
            double iterSeconds = (System.nanoTime() - t1) / 1e9;
            return new Selection(loop.support(), 1f, r == null ? null : r.weight(), choice.path().cliName(), reason,
                    loop.residuals(), loop.iterationsRun(), r == null ? null : r.residual(), dataSeconds, iterSeconds);
        }
    }

    /** The oracle of the chosen path; the statistics path gathers its statistics here (the data pass). */
    public static ScoreOracle open(UnitData unit, PathChoice path) {
        PruneOptions o = unit.options();
        if (path == PathChoice.DIRECT) return new DirectOracle(unit, o.score());
        Kernels kernels = Backends.select(o.device()).kernels();
        UnitStatistics stats;
        try (StatisticsAccumulator acc = kernels.statistics(unit.groups() * unit.taps(), true)) {
            stats = UnitStatistics.gather(unit, acc);
        }
        if (unit.taps() == 1) return new NativeOracle(kernels.unit(stats.inputs(), o.score()), stats.mass);
        return new PatchOracle(stats, kernels.unit(stats.inputs(), Score.CORRELATION), o.score());
    }

    /** The outcome of the loop: final support, ||R||^2 after each executed iteration, and their number. */
    public record Loop(int[] support, double[] residuals, int iterationsRun, List<int[]> candidateSets) {}

    /**
     * The i-SpaSP iteration on any oracle. Exposed for tests: the candidate sets Omega_t are returned so the
     * closed-form property (final support = top-s by mass of their union) can be checked.
     */
    public static Loop run(ScoreOracle oracle, int keep, int iterations, boolean earlyStop) {
        int n = oracle.groups();
        double[] mass = oracle.activationMass();
        int[] support = new int[0];
        List<Double> trace = new ArrayList<>();
        List<int[]> omegas = new ArrayList<>();
        Evaluation current = oracle.evaluate(support, true);
        int run = 0;
        for (int t = 1; t <= iterations; t++) {
            Cancellation.checkpoint();
            int[] omega = TopK.indices(current.scores(), Math.min(2 * keep, n));
            omegas.add(omega);
            int[] next = TopK.among(mass, TopK.union(omega, support), keep);
            run = t;
            if (Arrays.equals(next, support) && earlyStop) {
                trace.add(current.residual());
                break;
            }
            support = next;
            current = oracle.evaluate(support, t < iterations);
            trace.add(current.residual());
        }
        return new Loop(support, trace.stream().mapToDouble(Double::doubleValue).toArray(), run, omegas);
    }
}
