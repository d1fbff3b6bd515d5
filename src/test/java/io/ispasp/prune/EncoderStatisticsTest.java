package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import io.ispasp.bench.RawUnit;
import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.core.Target;
import io.ispasp.job.TensorCalibration;
import io.ispasp.nn.NetCalibration;
import io.ispasp.nn.NetFixtures;
import io.ispasp.nn.Network;
import io.ispasp.nn.Surgery;
import io.ispasp.nn.Unit;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * On an encoder's FFN units, whose rows are the real tokens of padded sequences, the statistics path (C++ kernels)
 * gives the direct path's scores, residuals and supports for every score, with both targets (the second layer's FFN
 * after the first one was cut), and the statistics see one row per real token. Head units take the direct path
 * (their kernels assume one column per group), which says so.
 */
class EncoderStatisticsTest {
    @BeforeAll
    static void init() { TorchRuntime.init(); }

    @ParameterizedTest
    @EnumSource(Score.class)
    void ffnStatisticsEqualTheDirectPath(Score score) {
        for (Target target : Target.values()) {
            try (Network dense = NetFixtures.randomized(NetFixtures.ENCODER, 3);
                 TensorCalibration calib = NetCalibration.of(NetFixtures.ENCODER, 40, 5)) {
                int ffn1 = dense.unit("layer.1.ffn").index();
                Network model = target == Target.ORIGINAL ? Surgery.keep(dense, dense.unit("layer.0.ffn").index(), new int[] {0, 3, 5, 8, 13, 21}) : dense;
                try {
                    PruneOptions o = PruneOptions.builder().ratio(0.3).score(score).target(target).batchSize(16).iterations(6)
                            .earlyStop(false).build();
                    UnitData unit = new UnitData(model, dense, ffn1, o.keep(model.unit(ffn1).groups()), calib, o);
                    UnitStatistics stats = UnitStatistics.gather(unit);
                    long tokens;
                    try (org.bytedeco.javacpp.PointerScope s = new org.bytedeco.javacpp.PointerScope()) {
                        tokens = calib.inputs(0, 40).ge(new org.bytedeco.pytorch.Scalar(0L)).sum().item_long();
                    }
                    assertEquals(tokens, stats.rows(), "one row per real token");
                    try (ScoreOracle direct = IspaspSelector.open(unit, PathChoice.DIRECT);
                         ScoreOracle fast = IspaspSelector.open(unit, PathChoice.STATISTICS)) {
                        double[] empty = direct.evaluate(new int[0], true).scores();
                        SplittableRandom r = new SplittableRandom(4);
                        for (int trial = 0; trial < 4; trial++) {
                            int[] support = RawUnit.randomSupport(r, unit.groups(), trial == 0 ? 0 : 1 + r.nextInt(unit.groups()));
                            Evaluation a = direct.evaluate(support, true), b = fast.evaluate(support, true);
                            StatisticsMatchesDirectTest.assertClose(a.scores(), b.scores(), 2e-5, RawUnit.maxAbs(empty), score + " " + target + " scores");
                            assertEquals(a.residual(), b.residual(), 2e-5 * Math.max(1, a.residual()), score + " " + target + " residual");
                        }
                        assertArrayEquals(IspaspSelector.run(direct, unit.keep(), 6, false).support(),
                                IspaspSelector.run(fast, unit.keep(), 6, false).support(), score + " " + target + " supports");
                    }
                } finally {
                    if (model != dense) model.close();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Score.class)
    void headsTakeTheDirectPathAndSaySo(Score score) {
        try (Network dense = NetFixtures.randomized(NetFixtures.ENCODER, 3);
             TensorCalibration calib = NetCalibration.of(NetFixtures.ENCODER, 12, 5)) {
            Unit heads = dense.unit("layer.0.heads");
            PruneOptions o = PruneOptions.builder().ratio(0.5).score(score).build();
            UnitData unit = new UnitData(dense, dense, heads.index(), 1, calib, o);
            String why = UnitStatistics.unsupported(unit);
            assertTrue(why != null && why.contains("head"), String.valueOf(why));
            assertEquals(PathChoice.DIRECT, CostModel.choose(PathChoice.AUTO, unit.rows(), unit.groups(), unit.keep(), unit.outputs(),
                    unit.taps(), 20, score, Target.CURRENT, true, false, why).path());
        }
    }
}
