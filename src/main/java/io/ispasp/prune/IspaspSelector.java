package io.ispasp.prune;

import io.ispasp.engine.Cancellation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.kernels.Backends;
import io.ispasp.kernels.Kernels;
import io.ispasp.kernels.StatisticsAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * i-SpaSP on one unit (SPEC section 2): T times, score every group against the residual of the current support,
 * take the top 2s, merge with the support, and keep the s groups of the union with the largest activation mass.
 * The scores come from a {@link ScoreOracle}; the path (direct or statistics) is chosen by {@link CostModel}.
 */
public final class IspaspSelector implements GroupSelector {
    private static final Logger LOG = LoggerFactory.getLogger(IspaspSelector.class);

    @Override
    public Selection select(UnitContext ctx) {
        PruneOptions o = ctx.options();
        CostModel.Choice choice = CostModel.choose(o.path(), ctx.calibration().size(), ctx.groups(), ctx.keep(),
                ctx.outputs(), o.iterations(), o.score(), o.target());
        LOG.info("{}: N={} s={} out={} -> {} path ({})", ctx.name(), ctx.groups(), ctx.keep(), ctx.outputs(),
                choice.path().cliName(), choice.reason());
        long t0 = System.nanoTime();
        try (ScoreOracle oracle = open(ctx, choice.path())) {
            double dataSeconds = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            Loop loop = oracle instanceof NativeOracle fused
                    ? fused.run(ctx.keep(), o.iterations(), o.earlyStop())
                    : run(oracle, ctx.keep(), o.iterations(), o.earlyStop());
            Refit.Result refit = o.refit() ? Refit.solve(oracle.kept(loop.support()), o.refitLambda()) : null;
            double iterSeconds = (System.nanoTime() - t1) / 1e9;
            return new Selection(loop.support(), 1f, refit == null ? null : refit.weight(), choice.path().cliName(),
                    choice.reason(), loop.residuals(), loop.iterationsRun(), refit == null ? null : refit.residual(),
                    dataSeconds, iterSeconds);
        }
    }

    private static ScoreOracle open(UnitContext ctx, PathChoice path) {
        if (path == PathChoice.DIRECT) return new DirectOracle(ctx, ctx.options().score());
        Kernels kernels = Backends.select(ctx.options().device()).kernels();
        UnitStatistics stats;
        try (StatisticsAccumulator acc = kernels.statistics(ctx.groups(), true)) {
            stats = UnitStatistics.gather(ctx, acc);
        }
        return new NativeOracle(kernels.unit(stats.inputs(ctx.bWeight()), ctx.options().score()), stats.mass);
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
