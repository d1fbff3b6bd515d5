package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.core.Threshold;
import io.ispasp.nn.Network;
import org.junit.jupiter.api.Test;

/**
 * The best-iterate rule: the loop returns the iterate of lowest residual (after its refit, when refitting) among all
 * it visited, the first of equal ones; and on random units the last iterate is not always that one, so the rule
 * matters.
 */
class BestIterateTest {
    @Test
    void theReturnedSupportHasTheLowestResidualOfTheTrace() {
        int lastWasWorse = 0;
        for (long seed = 0; seed < 16; seed++) {
            PruneOptions o = PruneOptions.builder().ratio(0.15).score(Score.SIGNED_SUM).threshold(Threshold.MASS).refit(false)
                    .biasCompensation(false).bestIterate(true).earlyStop(false).iterations(12).build();
            Network m = Fixtures.mlp(seed, 12, 40, 6);
            UnitData unit = Fixtures.unit(m, 0, Fixtures.gaussian(200, 12, 6, seed + 100), o);
            try (DirectOracle oracle = new DirectOracle(unit, o.score())) {
                IspaspSelector.Loop loop = bestLoop(unit, oracle);
                double[] r = loop.residuals();
                int argmin = 0;
                for (int i = 1; i < r.length; i++) if (r[i] < r[argmin]) argmin = i;
                assertEquals(argmin, loop.chosen(), "seed " + seed);
                assertArrayEquals(loop.supports().get(argmin), loop.support(), "seed " + seed);
                // the residual of the returned support, evaluated afresh, is the trace's minimum
                assertEquals(r[argmin], oracle.evaluate(loop.support(), false).residual(), 1e-9 * r[argmin]);
                if (r[r.length - 1] > r[argmin] * (1 + 1e-9)) lastWasWorse++;
            }
            m.close();
        }
        assertTrue(lastWasWorse > 0, "on 16 random units the last iterate was always the best one");
    }

    @Test
    void withTheRefitTheRuleComparesResidualsAfterTheRefit() {
        for (long seed = 0; seed < 6; seed++) {
            PruneOptions o = PruneOptions.builder().ratio(0.15).score(Score.CORRELATION).threshold(Threshold.LSQ).refit(true)
                    .biasCompensation(true).bestIterate(true).earlyStop(false).iterations(8).build();
            Network m = Fixtures.mlp(seed, 12, 40, 6);
            UnitData unit = Fixtures.unit(m, 0, Fixtures.gaussian(200, 12, 6, seed + 200), o);
            try (DirectOracle oracle = new DirectOracle(unit, o.score())) {
                IspaspSelector.Loop loop = bestLoop(unit, oracle);
                double best = Double.POSITIVE_INFINITY;
                int argmin = -1;
                for (int i = 0; i < loop.supports().size(); i++) {
                    double refit = Refit.solve(oracle.kept(loop.supports().get(i)), o.refitLambda(), true, 1).residual();
                    assertEquals(refit, loop.objectives()[i], 1e-9 * Math.max(1, refit), "seed " + seed + " iterate " + i);
                    if (refit < best) {
                        best = refit;
                        argmin = i;
                    }
                }
                assertArrayEquals(loop.supports().get(argmin), loop.support(), "seed " + seed);
            }
            m.close();
        }
    }

    /** The loop with the unit's own threshold, fit and iterations, returning the best iterate. */
    private static IspaspSelector.Loop bestLoop(UnitData unit, DirectOracle oracle) {
        PruneOptions o = unit.options();
        return IspaspSelector.run(oracle, unit.keep(), o.iterations(), o.earlyStop(), o.threshold(), true,
                new UnitFit(unit, oracle, o.refit(), o.biasCompensation()));
    }
}
