package io.ispasp.prune.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import io.ispasp.core.Device;
import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.job.TensorCalibration;
import io.ispasp.model.conv.ConvFixtures;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.prune.Evaluation;
import io.ispasp.prune.IspaspSelector;
import io.ispasp.prune.ScoreOracle;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * For every conv unit type (ResNet BasicBlock: 3x3 B; MobileNetV2 inverted residual: 1x1 B) and every score the
 * statistics path exists for, the statistics path gives the direct path's scores and residuals (float tolerance)
 * on random supports, and the same i-SpaSP supports.
 */
class ConvStatisticsMatchesDirectTest {
    static PruneOptions options(Score score) {
        return PruneOptions.builder().score(score).iterations(6).batchSize(5).device(Device.CPU).build();
    }

    @ParameterizedTest
    @CsvSource({"resnet,signed-sum,3", "resnet,correlation,3", "resnet,signed-sum,6", "resnet,correlation,7",
            "mobilenet,signed-sum,4", "mobilenet,group-norm,4", "mobilenet,correlation,4", "mobilenet,group-norm,11"})
    void sameScoresResidualsAndSupports(String arch, String scoreName, int unitIndex) {
        Score score = Score.parse(scoreName);
        ConvSpec spec = arch.equals("resnet") ? ConvFixtures.tinyResNet() : ConvFixtures.tinyMobileNet();
        try (PointerScope s = new PointerScope(); ConvNet net = ConvFixtures.randomized(spec, 11 + unitIndex);
             TensorCalibration calib = RandomCalibration.of(12, 32, 3)) {
            int n = spec.inner(unitIndex);
            ConvUnit unit = new ConvUnit(net, unitIndex, Math.max(1, n * 3 / 10), calib, options(score));
            try (ScoreOracle direct = ConvIspaspSelector.open(unit, PathChoice.DIRECT);
                 ScoreOracle stats = ConvIspaspSelector.open(unit, PathChoice.STATISTICS)) {
                assertArrayEquals(direct.activationMass(), stats.activationMass(), 1e-3 * max(direct.activationMass()), "mass");
                SplittableRandom rnd = new SplittableRandom(unitIndex);
                for (int trial = 0; trial < 6; trial++) {
                    int[] support = trial == 0 ? new int[0] : randomSupport(n, 1 + rnd.nextInt(n - 1), rnd);
                    Evaluation a = direct.evaluate(support, true), b = stats.evaluate(support, true);
                    assertEquals(a.residual(), b.residual(), 1e-4 * Math.max(1, a.residual()), "residual, support " + support.length);
                    double scale = max(a.scores());
                    assertArrayEquals(a.scores(), b.scores(), 2e-4 * scale, score + " scores, support size " + support.length);
                }
                IspaspSelector.Loop x = IspaspSelector.run(direct, unit.keep(), 6, true);
                IspaspSelector.Loop y = IspaspSelector.run(stats, unit.keep(), 6, true);
                assertArrayEquals(x.support(), y.support(), "supports");
                assertArrayEquals(x.residuals(), y.residuals(), 1e-4 * Math.max(1, x.residuals()[0]));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"signed-sum", "correlation"})
    void selectorAgreesAcrossPaths(String scoreName) {
        Score score = Score.parse(scoreName);
        ConvSpec spec = ConvFixtures.tinyResNet();
        try (PointerScope s = new PointerScope(); ConvNet net = ConvFixtures.randomized(spec, 2);
             TensorCalibration calib = RandomCalibration.of(8, 32, 5)) {
            PruneOptions d = options(score).toBuilder().path(PathChoice.DIRECT).build();
            PruneOptions st = options(score).toBuilder().path(PathChoice.STATISTICS).build();
            var a = new ConvIspaspSelector().select(new ConvUnit(net, 5, 4, calib, d));
            var b = new ConvIspaspSelector().select(new ConvUnit(net, 5, 4, calib, st));
            assertEquals("direct", a.path());
            assertEquals("statistics", b.path());
            assertArrayEquals(a.kept(), b.kept());
        }
    }

    @org.junit.jupiter.api.Test
    void groupNormOnA3x3UnitIsDirectOnly() {
        ConvSpec spec = ConvFixtures.tinyResNet();
        try (PointerScope s = new PointerScope(); ConvNet net = ConvFixtures.randomized(spec, 2);
             TensorCalibration calib = RandomCalibration.of(4, 32, 5)) {
            PruneOptions auto = options(Score.GROUP_NORM);
            var sel = new ConvIspaspSelector().select(new ConvUnit(net, 1, 3, calib, auto));
            assertEquals("direct", sel.path());
            assertTrue(sel.pathReason().contains("group-norm"), sel.pathReason());
            PruneOptions forced = auto.toBuilder().path(PathChoice.STATISTICS).build();
            var e = assertThrows(IllegalArgumentException.class, () -> new ConvIspaspSelector().select(new ConvUnit(net, 1, 3, calib, forced)));
            assertTrue(e.getMessage().contains("group-norm"), e.getMessage());
        }
    }

    static int[] randomSupport(int n, int size, SplittableRandom rnd) {
        return rnd.ints(0, n).distinct().limit(size).sorted().toArray();
    }

    static double max(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }
}
