package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.ispasp.baseline.Baselines;
import io.ispasp.core.Device;
import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.job.TensorCalibration;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.NetCalibration;
import io.ispasp.nn.NetFixtures;
import io.ispasp.nn.Network;
import io.ispasp.nn.Unit;
import io.ispasp.nn.arch.Architectures;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pruning engine on every family and kind of unit (B a Linear, a 1x1 conv, a 3x3 conv, strided or not): the
 * statistics path gives the direct path's scores, residuals and supports wherever it applies; every method prunes
 * every unit to its size; the cases without a statistics path take the direct one and say why.
 */
class EveryUnitKindTest {
    static Stream<Architecture> architectures() { return NetFixtures.all().stream(); }

    static PruneOptions options(Score score) {
        return PruneOptions.builder().score(score).iterations(6).batchSize(5).gfsCandidates(3).gfsBatch(4)
                .device(Device.CPU).build();
    }

    /** One unit of each kind of the network (by B's kernel, stride and kind), at most four. */
    static List<Unit> unitKinds(Network net) {
        Map<String, Unit> kinds = new LinkedHashMap<>();
        for (Unit u : net.units()) kinds.putIfAbsent(u.convolutional() + "/" + u.kernel() + "/" + u.stride() + "/" + u.taps(), u);
        List<Unit> out = new ArrayList<>(kinds.values());
        return out.subList(0, Math.min(4, out.size()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void statisticsPathGivesTheDirectPathsAnswers(Architecture arch) {
        try (PointerScope s = new PointerScope(); Network net = NetFixtures.randomized(arch, 11);
             TensorCalibration calib = NetCalibration.of(arch, 12, 3)) {
            for (Unit unit : unitKinds(net)) {
                for (Score score : Score.values()) {
                    int n = unit.groups();
                    UnitData data = new UnitData(net, net, unit.index(), Math.max(1, n * 3 / 10), calib, options(score));
                    String why = UnitStatistics.unsupported(data);
                    if (why != null || unit.taps() != 1 && score == Score.GROUP_NORM) continue;
                    String what = arch.name() + " " + unit.name() + " " + score;
                    try (ScoreOracle direct = IspaspSelector.open(data, PathChoice.DIRECT);
                         ScoreOracle stats = IspaspSelector.open(data, PathChoice.STATISTICS)) {
                        assertArrayEquals(direct.activationMass(), stats.activationMass(), 1e-4 * max(direct.activationMass()), what + " mass");
                        SplittableRandom rnd = new SplittableRandom(unit.index());
                        double scale = max(direct.evaluate(new int[0], true).scores());
                        for (int trial = 0; trial < 5; trial++) {
                            int[] support = trial == 0 ? new int[0] : rnd.ints(0, n).distinct().limit(1 + rnd.nextInt(Math.max(1, n - 1))).sorted().toArray();
                            Evaluation a = direct.evaluate(support, true), b = stats.evaluate(support, true);
                            assertEquals(a.residual(), b.residual(), 1e-4 * Math.max(1, a.residual()), what + " residual, |S|=" + support.length);
                            assertArrayEquals(a.scores(), b.scores(), 2e-4 * Math.max(1e-12, scale), what + " scores, |S|=" + support.length);
                        }
                        IspaspSelector.Loop x = IspaspSelector.run(direct, data.keep(), 6, true);
                        IspaspSelector.Loop y = IspaspSelector.run(stats, data.keep(), 6, true);
                        assertArrayEquals(x.support(), y.support(), what + " supports");
                        if (stats instanceof FusedLoop fused) {
                            // the loop in one native call (1x1 units over features, 3x3 units over channels)
                            for (boolean early : new boolean[] {true, false}) {
                                IspaspSelector.Loop java = IspaspSelector.run(stats, data.keep(), 6, early), one = fused.run(data.keep(), 6, early);
                                assertArrayEquals(java.support(), one.support(), what + " fused loop, early stop " + early);
                                assertArrayEquals(java.residuals(), one.residuals(), what + " fused loop trace, early stop " + early);
                            }
                        } else {
                            throw new AssertionError(what + ": the statistics path has no fused loop");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void everyMethodPrunesEveryUnitToItsSize(Architecture arch) {
        try (PointerScope s = new PointerScope(); Network dense = NetFixtures.randomized(arch, 1);
             TensorCalibration calib = NetCalibration.of(arch, 8, 2)) {
            long denseParams = dense.params();
            boolean encoder = arch instanceof io.ispasp.nn.arch.Bert;   // no classifier loss for GFS
            Layout layout = encoder ? Layout.every(arch, 0.5, 0.5) : Layout.every(dense, 0.5);   // heads too
            int side = arch.nativeInput() == 224 ? 64 : arch.nativeInput();
            if (encoder) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Pruner.prune(dense, layout, calib, options(Score.SIGNED_SUM), Baselines.gfs(), Pruner.AfterUnit.NONE));
                assertTrue(e.getMessage().contains("encoder"), e.getMessage());
            }
            for (Selector sel : encoder ? new Selector[] {new IspaspSelector(), Baselines.magnitude(), Baselines.activation(),
                    Baselines.random(), Baselines.flap()} : new Selector[] {new IspaspSelector(), Baselines.gfs(), Baselines.magnitude(),
                    Baselines.activation(), Baselines.random(), Baselines.flap()}) {
                var out = Pruner.prune(dense, layout, calib, options(Score.SIGNED_SUM), sel, Pruner.AfterUnit.NONE);
                try (Network pruned = out.model()) {
                    assertArrayEquals(layout.widths(dense), pruned.widths());
                    assertEquals(dense.units().size(), out.units().size());
                    for (int u = 0; u < out.units().size(); u++) assertEquals(dense.unit(u).hidden(), out.units().get(u).hidden());
                    assertEquals(pruned.complexity(side).params(), pruned.params());
                    assertTrue(pruned.params() < denseParams);
                    Tensor y = pruned.forward(calib.inputs(0, 2));
                    assertEquals(2, y.size(0));
                    assertEquals(arch.classes(), y.size(-1));
                }
                assertEquals(denseParams, dense.params(), "the dense network is untouched");
            }
        }
    }

    /** With ratio >= 0.5 the candidate set covers every group, so the paper's i-SpaSP keeps the top-s by activation mass. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void largeRatiosKeepTheMostActiveGroups(Architecture arch) {
        try (PointerScope s = new PointerScope(); Network dense = NetFixtures.randomized(arch, 4);
             TensorCalibration calib = NetCalibration.of(arch, 6, 3)) {
            for (Unit u : unitKinds(dense)) {
                PruneOptions paper = options(Score.SIGNED_SUM).toBuilder().variant(io.ispasp.core.Variant.PAPER).build();
                UnitData unit = new UnitData(dense, dense, u.index(), u.groups() * 6 / 10 + 1, calib, paper);
                int[] expected = TopK.indices(unit.activationMass(), unit.keep());
                assertArrayEquals(expected, new IspaspSelector().select(unit).kept(), u.name());
            }
        }
    }

    /**
     * The ORIGINAL target on units whose B reads one position (MobileNetV2's projection, a Bottleneck's conv3) and on
     * a 3x3 B with stride 1 (correlation score, from the patch cross statistics), after an earlier unit was pruned so
     * the current and the original network differ: both paths give the same answers and the same kept statistics.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"mobilenet_v2 form=cifar width=0.25 classes=10", "resnet50 form=cifar width=0.125 classes=10"})
    void originalTargetAgreesAcrossPaths(String text) {
        Architecture arch = Architectures.parse(text);
        try (PointerScope s = new PointerScope(); Network dense = NetFixtures.randomized(arch, 13);
             TensorCalibration calib = NetCalibration.of(arch, 10, 4)) {
            try (Network current = firstUnitHalved(dense)) {
                Map<Integer, Unit> later = new LinkedHashMap<>();
                for (Unit u : current.units()) if (u.index() > 0 && u.stride() == 1) later.putIfAbsent(u.taps(), u);
                assertTrue(later.containsKey(1), "a one-tap unit");
                if (text.startsWith("resnet50")) assertTrue(later.containsKey(9), "a 3x3 unit");
                for (Unit unit : later.values()) {
                    PruneOptions o = options(Score.CORRELATION).toBuilder().target(io.ispasp.core.Target.ORIGINAL).build();
                    UnitData data = new UnitData(current, dense, unit.index(), Math.max(1, unit.groups() / 3), calib, o);
                    try (ScoreOracle direct = IspaspSelector.open(data, PathChoice.DIRECT);
                         ScoreOracle stats = IspaspSelector.open(data, PathChoice.STATISTICS)) {
                        double scale = max(direct.evaluate(new int[0], true).scores());
                        for (int[] support : new int[][] {{}, {0, 2, 3}, {1}}) {
                            Evaluation a = direct.evaluate(support, true), b = stats.evaluate(support, true);
                            assertEquals(a.residual(), b.residual(), 1e-4 * Math.max(1, a.residual()), unit.name() + " residual");
                            assertArrayEquals(a.scores(), b.scores(), 2e-4 * Math.max(1e-12, scale), unit.name() + " scores");
                        }
                        ScoreOracle.KeptStatistics ka = direct.kept(new int[] {0, 2, 3}), kb = stats.kept(new int[] {0, 2, 3});
                        assertArrayEquals(ka.cross(), kb.cross(), 1e-4 * max(ka.cross()), unit.name() + " kept cross statistics");
                        assertArrayEquals(ka.gram(), kb.gram(), 1e-4 * max(ka.gram()), unit.name() + " kept gram");
                        assertArrayEquals(ka.targetSums(), kb.targetSums(), 1e-4 * max(ka.targetSums()), unit.name() + " target sums");
                        assertArrayEquals(ka.featureSums(), kb.featureSums(), 1e-4 * max(ka.featureSums()), unit.name() + " feature sums");
                        assertEquals(ka.rows(), kb.rows(), unit.name() + " rows");
                    }
                }
            }
        }
    }

    /**
     * A 3x3 unit's statistics from shifted products of H ({@link io.ispasp.engine.PatchGram}, the CPU's route) equal
     * those from its patch rows, for the current target and for the original one after an earlier cut.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void shiftedProductsGiveThePatchRowsStatistics(Architecture arch) {
        try (PointerScope s = new PointerScope(); Network dense = NetFixtures.randomized(arch, 17);
             TensorCalibration calib = NetCalibration.of(arch, 9, 5)) {
            try (Network current = firstUnitHalved(dense)) {
                int checked = 0;
                for (Unit unit : current.units()) {
                    if (unit.taps() != 9 || unit.stride() != 1 || unit.index() == 0) continue;
                    for (io.ispasp.core.Target target : io.ispasp.core.Target.values()) {
                        PruneOptions o = options(Score.CORRELATION).toBuilder().target(target).build();
                        UnitData data = new UnitData(current, dense, unit.index(), 1, calib, o);
                        UnitStatistics rows = UnitStatistics.gather(data), shifted;
                        try (io.ispasp.engine.PatchGram patches = new io.ispasp.engine.PatchGram(unit.groups())) {
                            shifted = UnitStatistics.gather(data, patches);
                        }
                        String what = arch.name() + " " + unit.name() + " " + target;
                        assertEquals(rows.rows, shifted.rows, what + " rows");
                        assertArrayEquals(rows.featureMass, shifted.featureMass, 1e-5 * max(rows.featureMass), what + " feature sums");
                        assertArrayEquals(rows.gram, shifted.gram, 1e-5 * max(rows.gram), what + " Gram");
                        assertArrayEquals(rows.tapSums, shifted.tapSums, 1e-9 * max(rows.tapSums), what + " tap sums");
                        assertEquals(rows.cross == null, shifted.cross == null, what + " cross sums gathered");
                        if (rows.cross != null) assertArrayEquals(rows.cross, shifted.cross, 1e-5 * max(rows.cross), what + " cross sums");
                        checked++;
                    }
                    break;   // one 3x3 unit per network
                }
                if (arch.name().startsWith("resnet")) assertTrue(checked > 0, arch.name() + ": a 3x3 unit was checked");
            }
        }
    }

    @Test
    void gfsIsReproducibleAndScalesTheKeptColumns() {
        Architecture arch = NetFixtures.all().get(0);
        try (PointerScope s = new PointerScope(); Network dense = NetFixtures.randomized(arch, 4);
             TensorCalibration calib = NetCalibration.of(arch, 8, 3)) {
            UnitData unit = new UnitData(dense, dense, 2, 3, calib, options(Score.SIGNED_SUM));
            var a = Baselines.gfs().select(unit);
            var b = Baselines.gfs().select(unit);
            assertArrayEquals(a.kept(), b.kept());
            assertEquals((float) dense.unit(2).groups() / 3, a.columnScale(), 1e-6);
        }
    }

    @Test
    void groupNormOnA3x3UnitIsDirectOnly() {
        Architecture arch = NetFixtures.all().get(0);
        try (PointerScope s = new PointerScope(); Network net = NetFixtures.randomized(arch, 2);
             TensorCalibration calib = NetCalibration.of(arch, 4, 5)) {
            PruneOptions auto = options(Score.GROUP_NORM);
            var sel = new IspaspSelector().select(new UnitData(net, net, 1, 3, calib, auto));
            assertEquals("direct", sel.path());
            assertTrue(sel.pathReason().contains("group-norm"), sel.pathReason());
            PruneOptions forced = auto.toBuilder().path(PathChoice.STATISTICS).build();
            var e = assertThrows(IllegalArgumentException.class, () -> new IspaspSelector().select(new UnitData(net, net, 1, 3, calib, forced)));
            assertTrue(e.getMessage().contains("group-norm"), e.getMessage());
        }
    }

    /** A Bottleneck's first unit of a downsampling block has a strided 3x3 B: direct only, and the reason says so. */
    @Test
    void aStrided3x3BTakesTheDirectPathAndSaysWhy() {
        Architecture arch = Architectures.parse("resnet50 form=cifar width=0.125 classes=10");
        try (PointerScope s = new PointerScope(); Network net = NetFixtures.randomized(arch, 2);
             TensorCalibration calib = NetCalibration.of(arch, 4, 5)) {
            Unit strided = net.unit("layer2.0.conv1");
            assertEquals(2, strided.stride());
            var sel = new IspaspSelector().select(new UnitData(net, net, strided.index(), 4, calib, options(Score.CORRELATION)));
            assertEquals("direct", sel.path());
            assertTrue(sel.pathReason().contains("stride 2"), sel.pathReason());
        }
    }

    @Test
    void flopsTargetIsMetAndUnreachableTargetsAreErrors() {
        Architecture arch = NetFixtures.all().get(0);
        try (PointerScope s = new PointerScope(); Network dense = NetFixtures.randomized(arch, 6);
             TensorCalibration calib = NetCalibration.of(arch, 6, 3)) {
            long denseFlops = dense.complexity(32).flops();
            Layout l = FlopsTarget.choose(dense, calib, options(Score.SIGNED_SUM), 0.7, 32);
            double ratio = dense.complexity(32, l.widths(dense)).flops() / (double) denseFlops;
            assertTrue(ratio <= 0.7 && ratio > 0.6, "FLOPs ratio " + ratio);
            var e = assertThrows(IllegalArgumentException.class, () -> FlopsTarget.choose(dense, calib, options(Score.SIGNED_SUM), 0.05, 32));
            assertTrue(e.getMessage().contains("out of reach"), e.getMessage());
        }
    }

    /** {@code dense} with every other group of its first unit kept, so later units' current and original networks differ. */
    static Network firstUnitHalved(Network dense) {
        int[] half = new int[dense.unit(0).groups() / 2];
        for (int i = 0; i < half.length; i++) half[i] = 2 * i;
        return io.ispasp.nn.Surgery.keep(dense, 0, half);
    }

    static double max(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }
}
