package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.core.Target;
import io.ispasp.bench.RawUnit;
import io.ispasp.data.Dataset;
import io.ispasp.kernels.Backends;
import io.ispasp.kernels.StatisticsAccumulator;
import io.ispasp.nn.Network;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The statistics path gives the direct path's scores, residuals and supports, for every score and target: both the
 * libtorch reference ({@link StatisticsOracle}) and the C++ kernels (evaluations and the fused loop).
 */
class StatisticsMatchesDirectTest {
    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    static Stream<Arguments> shapes() {
        // sizes, calibration rows, batch, ratio
        Stream.Builder<Arguments> b = Stream.builder();
        int[][] nets = {{12, 33, 7}, {20, 64, 64}, {9, 17, 40, 5}, {30, 100, 3}};
        for (Score score : Score.values()) {
            for (Target target : Target.values()) {
                for (int i = 0; i < nets.length; i++) b.add(Arguments.of(nets[i], 257 + 100 * i, 64, 0.2 + 0.1 * i, score, target));
            }
        }
        return b.build();
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void sameScoresResidualsAndSupports(int[] sizes, int rows, int batch, double ratio, Score score, Target target) {
        Network original = Fixtures.mlp(11, sizes);
        Dataset data = Fixtures.gaussian(rows, sizes[0], 3, 5);
        PruneOptions o = PruneOptions.builder().ratio(ratio).score(score).target(target).batchSize(batch).iterations(8).earlyStop(false).build();
        int unit = sizes.length - 3; // last hidden layer; for 4-layer nets a unit with a prefix
        Network model = target == Target.ORIGINAL && unit > 0 ? io.ispasp.nn.Surgery.keep(original, 0, firstHalf(sizes[1])) : original;
        UnitData ctx = Fixtures.unit(model, original, unit, data, o);
        SplittableRandom r = new SplittableRandom(3);
        UnitStatistics stats = UnitStatistics.gather(ctx);
        UnitStatistics nativeStats;
        try (StatisticsAccumulator acc = Backends.cpu().statistics(ctx.groups(), true)) {
            nativeStats = UnitStatistics.gather(ctx, acc);
        }
        try (DirectOracle direct = new DirectOracle(ctx, score);
             StatisticsOracle fast = new StatisticsOracle(stats, ctx.bWeight(), score);
             NativeOracle cpu = new NativeOracle(Backends.cpu().unit(nativeStats.inputs(), score), nativeStats)) {
            assertClose(direct.activationMass(), fast.activationMass(), 1e-5, "activation mass");
            assertClose(direct.activationMass(), cpu.activationMass(), 1e-5, "activation mass (C++)");
            // scores are compared relative to their size at S = {} (near S = all they vanish; the
            // statistics path's group-norm then carries sqrt(float64 cancellation) ~ 1e-8 of that size)
            double[] empty = direct.evaluate(new int[0], true).scores();
            for (int trial = 0; trial < 6; trial++) {
                int[] support = RawUnit.randomSupport(r, ctx.groups(), trial == 0 ? 0 : 1 + r.nextInt(ctx.groups()));
                Evaluation a = direct.evaluate(support, true);
                for (ScoreOracle other : new ScoreOracle[] {fast, cpu}) {
                    Evaluation b = other.evaluate(support, true);
                    String what = other.getClass().getSimpleName() + " " + score;
                    assertClose(a.scores(), b.scores(), 2e-5, RawUnit.maxAbs(empty), what + " scores, |S|=" + support.length);
                    assertEquals(a.residual(), b.residual(), 2e-5 * Math.max(1, a.residual()), what + " residual, |S|=" + support.length);
                }
            }
            IspaspSelector.Loop la = IspaspSelector.run(direct, ctx.keep(), o.iterations(), false);
            IspaspSelector.Loop lb = IspaspSelector.run(fast, ctx.keep(), o.iterations(), false);
            IspaspSelector.Loop lc = cpu.run(ctx.keep(), o.iterations(), false);
            assertArrayEquals(la.support(), lb.support(), "supports differ");
            assertArrayEquals(la.support(), lc.support(), "fused C++ loop: supports differ");
            assertClose(la.residuals(), lb.residuals(), 2e-5, "residual trace");
            assertClose(la.residuals(), lc.residuals(), 2e-5, "fused C++ loop: residual trace");
            for (ScoreOracle other : new ScoreOracle[] {fast, cpu}) {
                ScoreOracle.KeptStatistics ka = direct.kept(la.support()), kb = other.kept(la.support());
                assertClose(ka.gram(), kb.gram(), 1e-5, "kept gram");
                assertClose(ka.cross(), kb.cross(), 1e-5, "kept cross");
                assertEquals(ka.targetSquaredNorm(), kb.targetSquaredNorm(), 1e-5 * ka.targetSquaredNorm());
                assertClose(ka.featureSums(), kb.featureSums(), 1e-5, "kept feature sums");
                assertClose(ka.targetSums(), kb.targetSums(), 1e-5, "target sums");
                assertEquals(ka.rows(), kb.rows(), "rows");
            }
        }
    }

    private static int[] firstHalf(int n) {
        int[] k = new int[n / 2];
        for (int i = 0; i < k.length; i++) k[i] = 2 * i;
        return k;
    }

    /** Max abs difference relative to the largest magnitude of the expected vector. */
    static void assertClose(double[] expected, double[] actual, double rel, String what) {
        assertClose(expected, actual, rel, 0, what);
    }

    static void assertClose(double[] expected, double[] actual, double rel, double minScale, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double scale = Math.max(1e-12, Math.max(minScale, RawUnit.maxAbs(expected)));
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        assertTrue(worst <= rel * scale, what + ": max abs diff " + worst + " vs scale " + scale);
    }
}
