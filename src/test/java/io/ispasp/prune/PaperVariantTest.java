package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.core.Variant;
import io.ispasp.data.Dataset;
import io.ispasp.job.TensorCalibration;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.NetCalibration;
import io.ispasp.nn.NetFixtures;
import io.ispasp.nn.Network;
import io.ispasp.nn.Unit;
import io.ispasp.nn.arch.Architectures;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

/**
 * {@code --variant paper} is the authors' procedure: signed-sum scores, the activation-mass threshold, the last
 * iterate, B's kept columns untouched. Its supports are those of the plain loop on the direct path (the reference
 * the statistics path and the native kernels are checked against), on MLP and conv units, and the options say
 * "paper"; overriding one setting makes them "custom".
 */
class PaperVariantTest {
    private static PruneOptions paper() {
        return PruneOptions.builder().variant(Variant.PAPER).ratio(0.2).iterations(10).batchSize(64).build();
    }

    @Test
    void theSettingsAreTheAuthors() {
        PruneOptions o = paper();
        assertEquals(Score.SIGNED_SUM, o.score());
        assertEquals(io.ispasp.core.Threshold.MASS, o.threshold());
        assertEquals(io.ispasp.core.Target.CURRENT, o.target());
        assertEquals(false, o.refit() || o.biasCompensation() || o.bestIterate());
        assertEquals(Variant.PAPER, o.variant());
        assertEquals(Variant.BEST, PruneOptions.builder().build().variant());
        assertEquals(Variant.CUSTOM, o.toBuilder().refit(true).build().variant());
    }

    @Test
    void mlpUnitsGetThePlainLoopsSupports() {
        for (long seed = 0; seed < 4; seed++) {
            Network m = Fixtures.mlp(seed, 15, 48, 30, 4);
            Dataset d = Fixtures.gaussian(300, 15, 4, seed);
            for (PathChoice path : PathChoice.values()) {
                for (int u = 0; u < 2; u++) {
                    UnitData unit = Fixtures.unit(m, u, d, paper().toBuilder().path(path).build());
                    assertPlainLoop(unit, "seed " + seed + " unit " + u + " " + path);
                }
            }
            m.close();
        }
    }

    @Test
    void convUnitsGetThePlainLoopsSupports() {
        Architecture arch = Architectures.parse("resnet50 form=cifar width=0.125 classes=10");
        try (PointerScope s = new PointerScope(); Network net = NetFixtures.randomized(arch, 9);
             TensorCalibration calib = NetCalibration.of(arch, 8, 4)) {
            for (Unit u : EveryUnitKindTest.unitKinds(net)) {
                UnitData unit = new UnitData(net, net, u.index(), Math.max(1, u.groups() / 5), calib, paper().toBuilder().batchSize(4).build());
                assertPlainLoop(unit, u.name());
            }
        }
    }

    private static void assertPlainLoop(UnitData unit, String what) {
        PruneOptions o = unit.options();
        Selection sel = new IspaspSelector().select(unit);
        try (DirectOracle direct = new DirectOracle(unit, Score.SIGNED_SUM)) {
            IspaspSelector.Loop reference = IspaspSelector.run(direct, unit.keep(), o.iterations(), true);
            assertArrayEquals(reference.support(), sel.kept(), what);
        }
        assertNull(sel.nextWeight(), what);
        assertNull(sel.shift(), what);
        assertNull(sel.residualAfter(), what);
    }
}
