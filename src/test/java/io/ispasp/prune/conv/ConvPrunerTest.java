package io.ispasp.prune.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ispasp.core.Device;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.baseline.ConvBaselines;
import io.ispasp.job.TensorCalibration;
import io.ispasp.model.conv.Complexity;
import io.ispasp.model.conv.ConvFixtures;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.model.conv.Layout;
import io.ispasp.prune.TopK;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

class ConvPrunerTest {
    static PruneOptions options() {
        return PruneOptions.builder().score(Score.SIGNED_SUM).iterations(5).batchSize(4).gfsCandidates(3).gfsBatch(4)
                .device(Device.CPU).build();
    }

    @Test
    void everyMethodPrunesTheLayoutsUnitsToTheirSizes() {
        ConvSpec spec = ConvSpec.dense(io.ispasp.model.conv.Arch.RESNET34, true, 10, 0.125);
        Layout layout = Layout.reference(spec);
        try (PointerScope s = new PointerScope(); ConvNet dense = ConvFixtures.randomized(spec, 1);
             TensorCalibration calib = RandomCalibration.of(8, 32, 2)) {
            long denseParams = dense.params();
            for (ConvSelector sel : new ConvSelector[] {new ConvIspaspSelector(), ConvBaselines.gfs(), ConvBaselines.magnitude(),
                    ConvBaselines.activation(), ConvBaselines.random()}) {
                var out = ConvPruner.prune(dense, layout, calib, options(), sel, ConvPruner.AfterUnit.NONE);
                try (ConvNet pruned = out.model()) {
                    assertEquals(layout.apply(spec), pruned.spec());
                    assertEquals(layout.prunedUnits().length, out.units().size());
                    assertEquals(Complexity.of(pruned.spec(), 32).params(), pruned.params());
                    assertTrue(pruned.params() < denseParams);
                    assertArrayEquals(new long[] {2, 10}, pruned.forward(calib.images(0, 2)).shape());
                }
                assertEquals(denseParams, dense.params(), "the dense net is untouched");
            }
        }
    }

    /** With ratio >= 0.5 the candidate set covers every channel, so i-SpaSP keeps the top-s by activation mass. */
    @Test
    void largeRatiosKeepTheMostActiveChannels() {
        ConvSpec spec = ConvFixtures.tinyMobileNet();
        try (PointerScope s = new PointerScope(); ConvNet dense = ConvFixtures.randomized(spec, 4);
             TensorCalibration calib = RandomCalibration.of(6, 32, 3)) {
            ConvUnit unit = new ConvUnit(dense, 3, spec.inner(3) * 6 / 10, calib, options());
            int[] expected = TopK.indices(ConvBaselines.activationMass(unit), unit.keep());
            assertArrayEquals(expected, new ConvIspaspSelector().select(unit).kept());
        }
    }

    @Test
    void gfsIsReproducibleAndScalesTheKeptColumns() {
        ConvSpec spec = ConvFixtures.tinyResNet();
        try (PointerScope s = new PointerScope(); ConvNet dense = ConvFixtures.randomized(spec, 4);
             TensorCalibration calib = RandomCalibration.of(8, 32, 3)) {
            ConvUnit unit = new ConvUnit(dense, 2, 3, calib, options());
            var a = ConvBaselines.gfs().select(unit);
            var b = ConvBaselines.gfs().select(unit);
            assertArrayEquals(a.kept(), b.kept());
            assertEquals((float) spec.inner(2) / 3, a.columnScale(), 1e-6);
        }
    }

    @Test
    void flopsTargetIsMetAndUnreachableTargetsAreErrors() {
        ConvSpec spec = ConvFixtures.tinyResNet();
        try (PointerScope s = new PointerScope(); ConvNet dense = ConvFixtures.randomized(spec, 6);
             TensorCalibration calib = RandomCalibration.of(6, 32, 3)) {
            long denseFlops = Complexity.of(spec, 32).flops();
            Layout l = FlopsTarget.choose(dense, calib, options(), 0.7, 32);
            double ratio = Complexity.of(l.apply(spec), 32).flops() / (double) denseFlops;
            assertTrue(ratio <= 0.7 && ratio > 0.6, "FLOPs ratio " + ratio);
            var e = assertThrows(IllegalArgumentException.class, () -> FlopsTarget.choose(dense, calib, options(), 0.05, 32));
            assertTrue(e.getMessage().contains("out of reach"), e.getMessage());
        }
    }
}
