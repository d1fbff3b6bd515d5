package io.ispasp.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.core.Target;
import io.ispasp.core.Threshold;
import io.ispasp.engine.Cancellation;
import io.ispasp.engine.Gram;
import io.ispasp.engine.PatchGram;
import io.ispasp.kernels.Backends;
import io.ispasp.kernels.Kernels;
import io.ispasp.kernels.StatisticsAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * i-SpaSP on one unit of any kind (docs/design.md): T times, score every group against the residual of the current
 * support, take the top 2s, merge with the support, and cut the union back to s groups, by activation mass (the
 * authors' rule) or by least squares ({@link Threshold#LSQ}). The scores come from a {@link ScoreOracle}; the path
 * (direct or statistics) is chosen per unit by {@link CostModel}. The support returned is the last one, or with
 * {@code bestIterate} the one of lowest residual after its fit; {@link UnitFit} then refits B's kept columns (every
 * kind of B) and/or moves the dropped groups' mean contribution into B's shift.
 */
public final class IspaspSelector implements Selector {
    private static final Logger LOG = LoggerFactory.getLogger(IspaspSelector.class);

    @Override
    public Selection select(UnitData unit) {
        PruneOptions o = unit.options();
        CostModel.Choice choice = CostModel.choose(o.path(), unit.rows(), unit.groups(), unit.keep(), unit.outputs(),
                unit.taps(), o.iterations(), o.score(), unit.targetIsCurrent() ? Target.CURRENT : Target.ORIGINAL,
                o.threshold() == Threshold.LSQ, o.bestIterate() && o.refit(),
                UnitStatistics.unsupported(unit));
        boolean shift = o.biasCompensation() && unit.unit().canShift();
        String reason = choice.reason() + (o.biasCompensation() && !shift ? "; no bias compensation: B has neither a bias nor a BN" : "");
        LOG.info("{}: N={} s={} out={} taps={} -> {} path ({})", unit.name(), unit.groups(), unit.keep(), unit.outputs(),
                unit.taps(), choice.path().cliName(), reason);
        long t0 = System.nanoTime();
        try (ScoreOracle oracle = open(unit, choice.path())) {
            double dataSeconds = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            UnitFit fitter = new UnitFit(unit, oracle, o.refit(), shift);
            Loop loop = oracle instanceof FusedLoop fused && o.threshold() == Threshold.MASS && !o.bestIterate()
                    ? fused.run(unit.keep(), o.iterations(), o.earlyStop())
                    : run(oracle, unit.keep(), o.iterations(), o.earlyStop(), o.threshold(), o.bestIterate(), fitter);
            long t2 = System.nanoTime();
            double kept = loop.residuals()[loop.chosen()];
            UnitFit.Fit fit = fitter.fit(loop.support(), kept);
            double target = oracle.evaluate(new int[0], false).residual();
            return new Selection(loop.support(), 1f, fit.weight(), fit.shift(), choice.path().cliName(), reason,
                    loop.residuals(), loop.iterationsRun(), kept, fitter.active() ? fit.residual() : null, target,
                    dataSeconds, (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9);
        }
    }

    /** The oracle of the chosen path; the statistics path gathers its statistics here (the data pass). */
    public static ScoreOracle open(UnitData unit, PathChoice path) {
        PruneOptions o = unit.options();
        if (path == PathChoice.DIRECT) return new DirectOracle(unit, o.score());
        Kernels kernels = Backends.select(o.device()).kernels();
        UnitStatistics stats;
        int features = unit.groups() * unit.taps();
        // On the CPU, OpenBLAS (engine.Gram's SYRK, or a 3x3 unit's shifted products in engine.PatchGram) is faster
        // than the C++ kernel, which stays as the CUDA kernel's twin.
        boolean cpu = kernels.name().equals("cpu");
        if (cpu && unit.taps() == 9 && unit.convolutional()) {
            try (PatchGram patches = new PatchGram(unit.groups())) {
                stats = UnitStatistics.gather(unit, patches);
            }
        } else {
            try (StatisticsAccumulator acc = cpu ? new Gram(features) : kernels.statistics(features, true)) {
                stats = UnitStatistics.gather(unit, acc);
            }
        }
        if (unit.taps() == 1) return new NativeOracle(kernels.unit(stats.inputs(), o.score()), stats);
        return new PatchOracle(stats, kernels.unit(stats.inputs(), Score.CORRELATION), o.score());
    }

    /**
     * The outcome of the loop.
     *
     * @param support       the support returned (the {@code chosen}-th iterate)
     * @param residuals     ||R||^2 of each iterate, B's columns as they are (one per executed iteration)
     * @param iterationsRun iterations executed
     * @param candidateSets Omega_t, the top-2s candidates of each iteration (empty from the fused native loop)
     * @param supports      the iterates (empty from the fused native loop)
     * @param objectives    the residual of each iterate after its fit when the best iterate is asked for, else empty
     * @param chosen        the index of the returned iterate
     */
    public record Loop(int[] support, double[] residuals, int iterationsRun, List<int[]> candidateSets,
                       List<int[]> supports, double[] objectives, int chosen) {
        /** The last iterate of a trace. */
        public Loop(int[] support, double[] residuals, int iterationsRun, List<int[]> candidateSets) {
            this(support, residuals, iterationsRun, candidateSets, List.of(), new double[0], residuals.length - 1);
        }
    }

    /**
     * The authors' loop on any oracle: activation-mass threshold, last iterate. Exposed for tests: the candidate
     * sets Omega_t are returned so the closed-form property (final support = top-s by mass of their union) can be
     * checked.
     */
    public static Loop run(ScoreOracle oracle, int keep, int iterations, boolean earlyStop) {
        return run(oracle, keep, iterations, earlyStop, Threshold.MASS, false, null);
    }

    /**
     * The loop with any threshold; with {@code best}, the iterate of lowest residual after {@code fitter}'s fit is
     * returned (the first of equal ones); the least-squares cut is {@code fitter}'s too. {@code fitter} may be null
     * for MASS without best.
     */
    static Loop run(ScoreOracle oracle, int keep, int iterations, boolean earlyStop, Threshold threshold, boolean best,
                    UnitFit fitter) {
        int n = oracle.groups();
        double[] mass = oracle.activationMass();
        int[] support = new int[0];
        List<Double> trace = new ArrayList<>(), objectives = new ArrayList<>();
        List<int[]> omegas = new ArrayList<>(), supports = new ArrayList<>();
        Evaluation current = oracle.evaluate(support, true);
        int run = 0;
        for (int t = 1; t <= iterations; t++) {
            Cancellation.checkpoint();
            int[] omega = TopK.indices(current.scores(), Math.min(2 * keep, n));
            omegas.add(omega);
            int[] merged = TopK.union(omega, support);
            int[] next = threshold == Threshold.MASS ? TopK.among(mass, merged, keep) : fitter.leastSquaresCut(merged, keep);
            run = t;
            boolean fixed = Arrays.equals(next, support);
            if (fixed && earlyStop) {
                trace.add(current.residual());
                supports.add(support);
                if (best) objectives.add(objectives.get(objectives.size() - 1));
                break;
            }
            support = next;
            current = oracle.evaluate(support, t < iterations);
            trace.add(current.residual());
            supports.add(support);
            if (best) objectives.add(fitter.fit(support, current.residual()).residual());
        }
        int chosen = trace.size() - 1;
        if (best) {
            chosen = 0;
            for (int i = 1; i < objectives.size(); i++) if (objectives.get(i) < objectives.get(chosen)) chosen = i;
        }
        return new Loop(supports.get(chosen), trace.stream().mapToDouble(Double::doubleValue).toArray(), run, omegas,
                supports, objectives.stream().mapToDouble(Double::doubleValue).toArray(), chosen);
    }
}
