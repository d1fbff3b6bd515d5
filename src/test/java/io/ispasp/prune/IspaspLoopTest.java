package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import io.ispasp.core.Method;
import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.core.Target;
import io.ispasp.data.Dataset;
import io.ispasp.engine.Tensors;
import io.ispasp.nn.Network;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Properties of the i-SpaSP loop that a user relies on. */
class IspaspLoopTest {
    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    /** With a fixed threshold key, S_T = top-s by mass of the union of every candidate set (docs/design.md, section "The i-SpaSP loop"). */
    @Test
    void finalSupportIsTopMassOfCandidateUnion() {
        for (Score score : Score.values()) {
            for (long seed = 1; seed <= 6; seed++) {
                Network m = Fixtures.mlp(seed, 10, 40, 6);
                Dataset d = Fixtures.gaussian(300, 10, 3, seed + 100);
                PruneOptions o = PruneOptions.builder().ratio(0.1 + 0.05 * seed).score(score).iterations(15).build();
                UnitData ctx = Fixtures.unit(m, 0, d, o);
                try (DirectOracle oracle = new DirectOracle(ctx, score)) {
                    IspaspSelector.Loop loop = IspaspSelector.run(oracle, ctx.keep(), o.iterations(), false);
                    int[] union = new int[0];
                    for (int[] omega : loop.candidateSets()) union = TopK.union(union, omega);
                    assertArrayEquals(TopK.among(oracle.activationMass(), union, ctx.keep()), loop.support(), score + " seed " + seed);
                    for (int[] omega : loop.candidateSets()) assertEquals(Math.min(2 * ctx.keep(), ctx.groups()), omega.length);
                }
            }
        }
    }

    /** ratio >= 0.5 means 2s >= N: the first candidate set is everything, so with the mass threshold i-SpaSP is activation-mass pruning. */
    @Test
    void halfOrMoreEqualsActivationMass() {
        for (double ratio : new double[] {0.5, 0.6, 0.9, 1.0}) {
            Network m = Fixtures.mlp(4, 12, 31, 8, 5);
            Dataset d = Fixtures.gaussian(200, 12, 5, 9);
            PruneOptions o = PruneOptions.builder().threshold(io.ispasp.core.Threshold.MASS).bestIterate(false).ratio(ratio).build();
            UnitData ctx = Fixtures.unit(m, 0, d, o);
            Selection a = new IspaspSelector().select(ctx);
            Selection b = io.ispasp.baseline.Baselines.activation().select(ctx);
            assertArrayEquals(b.kept(), a.kept(), "ratio " + ratio);
        }
    }

    /** The early stop at a fixed point changes nothing but the work done. */
    @Test
    void earlyStopGivesTheSameSupport() {
        for (Score score : Score.values()) {
            Network m = Fixtures.mlp(8, 10, 50, 20);
            Dataset d = Fixtures.gaussian(300, 10, 3, 2);
            PruneOptions o = PruneOptions.builder().ratio(0.2).score(score).iterations(20).build();
            try (DirectOracle oracle = new DirectOracle(Fixtures.unit(m, 0, d, o), score)) {
                IspaspSelector.Loop full = IspaspSelector.run(oracle, 10, 20, false);
                IspaspSelector.Loop early = IspaspSelector.run(oracle, 10, 20, true);
                assertArrayEquals(full.support(), early.support());
                assertEquals(full.residuals()[full.residuals().length - 1], early.residuals()[early.residuals().length - 1], 1e-9);
                assertTrue(early.iterationsRun() <= 20);
            }
        }
    }

    /** The direct path's G = R W is the autograd gradient of 0.5 ||U - P||^2 through the dense output U. */
    @Test
    void directScoreIsTheAutogradGradient() {
        Network m = Fixtures.mlp(21, 7, 19, 11);
        Dataset d = Fixtures.gaussian(90, 7, 3, 4);
        PruneOptions o = PruneOptions.builder().ratio(0.3).batchSize(32).build();
        UnitData ctx = Fixtures.unit(m, 0, d, o);
        int[] support = {1, 4, 5, 11, 17};
        double[] expected = new double[19];
        try (PointerScope scope = new PointerScope()) {
            Tensor h = ctx.hidden(ctx.input(0, 90)).detach();
            h.requires_grad_(true);
            Tensor w = m.tensor("2.weight"), b = m.tensor("2.bias");
            Tensor u = h.mm(w.t()).add(b);
            float[] mask = new float[19];
            for (int j : support) mask[j] = 1;
            Tensor p = h.detach().mul(Tensors.of(mask, 19)).mm(w.t()).add(b);
            Tensor r = u.sub(p);
            r.mul(r).sum().mul(new org.bytedeco.pytorch.Scalar(0.5)).backward();
            float[] g = Tensors.floats(h.grad().sum(0));
            for (int c = 0; c < 19; c++) expected[c] = g[c];
        }
        try (DirectOracle oracle = new DirectOracle(ctx, Score.SIGNED_SUM)) {
            StatisticsMatchesDirectTest.assertClose(expected, oracle.evaluate(support, true).scores(), 1e-5, "signed-sum vs autograd");
        }
    }

    /**
     * The residual the report gives for each unit is the residual of the model that surgery produced: plain, with the
     * refit, with bias compensation alone, and with both, on both paths, against the still-dense unit on the pruned
     * prefix (CURRENT) or against the original network (ORIGINAL).
     */
    @Test
    void reportedResidualMatchesSurgeryModel() {
        for (Target target : Target.values()) {
            for (boolean refit : new boolean[] {false, true}) {
                for (boolean shift : new boolean[] {false, true}) {
                    for (PathChoice path : new PathChoice[] {PathChoice.DIRECT, PathChoice.STATISTICS}) {
                        String what = target + " refit=" + refit + " shift=" + shift + " path=" + path;
                        Network m = Fixtures.mlp(31, 15, 40, 30, 4);
                        Dataset d = Fixtures.gaussian(400, 15, 4, 8);
                        PruneOptions o = PruneOptions.builder().method(Method.ISPASP).target(target).ratio(0.25).path(path)
                                .refit(refit).biasCompensation(shift).score(Score.GROUP_NORM).batchSize(128).build();
                        List<double[]> checks = new ArrayList<>();
                        List<Network> nets = new ArrayList<>(List.of(m));
                        Pruner.prune(m, Layout.every(m, o.ratio()), io.ispasp.job.DataCalibration.of(d, true), o, new IspaspSelector(),
                                (unit, report, pruned) -> {
                                    Network before = target == Target.CURRENT ? nets.get(nets.size() - 1) : m;
                                    double actual = unitResidual(before, pruned, unit, d);
                                    nets.add(pruned.copy());
                                    assertEquals(refit || shift, report.residualAfter() != null, what);
                                    double reported = report.residualAfter() != null ? report.residualAfter() : report.residualKept();
                                    checks.add(new double[] {reported, actual});
                                    assertEquals(path.cliName(), report.path(), what);
                                }).model().close();
                        assertEquals(2, checks.size());
                        for (double[] c : checks) assertEquals(c[1], c[0], 1e-4 * Math.max(1, c[1]), what);
                        for (Network n : nets.subList(1, nets.size())) n.close();
                    }
                }
            }
        }
    }

    /** ||B_before(H) - B_after(H_S)||^2 over the data, computed from the two networks' own layers. */
    static double unitResidual(Network before, Network after, int unit, Dataset d) {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = d.features(0, d.size());
            Tensor r = Tensors.toDouble(bOutput(before, unit, x).sub(bOutput(after, unit, x)));
            return r.mul(r).sum().item_double();
        }
    }

    private static Tensor bOutput(Network net, int unit, Tensor x) {
        io.ispasp.nn.Unit u = net.unit(unit);
        return u.bLinear(u.hidden(u.input(x))).add(u.bShift());
    }

    /** Refit never leaves a larger residual than plain copying of the kept columns. */
    @Test
    void refitLowersTheResidual() {
        Network m = Fixtures.mlp(5, 20, 60, 10);
        Dataset d = Fixtures.gaussian(500, 20, 3, 1);
        PruneOptions o = PruneOptions.builder().ratio(0.2).refit(true).refitLambda(1e-6).build();
        Selection s = new IspaspSelector().select(Fixtures.unit(m, 0, d, o));
        assertTrue(s.residualAfter() < s.residualKept(), s.residualAfter() + " vs " + s.residualKept());
    }
}
