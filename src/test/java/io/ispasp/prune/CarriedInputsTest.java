package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;

import io.ispasp.core.PruneOptions;
import io.ispasp.core.Target;
import io.ispasp.job.PruneJob;
import io.ispasp.job.TensorCalibration;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.NetCalibration;
import io.ispasp.nn.NetFixtures;
import io.ispasp.nn.Network;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Carrying each unit's input from the previous unit gives the very same pruned network as recomputing it from the
 * samples, on every architecture of the conformance suite: the same groups kept in every unit and bit-identical
 * weights, for the original and the current target, and (original target) when the memory bound lets only some
 * units carry (the others recompute and carrying starts again after them).
 */
class CarriedInputsTest {
    @BeforeAll
    static void init() { TorchRuntime.init(); }

    static Stream<Architecture> architectures() { return NetFixtures.all().stream(); }

    @ParameterizedTest
    @MethodSource("architectures")
    void carriedInputsGiveTheRecomputedResult(Architecture arch) {
        try (Network dense = NetFixtures.randomized(arch, 3); TensorCalibration calib = NetCalibration.of(arch, 24, 5)) {
            Layout every = Layout.every(dense, 0.5);
            long middle = CarriedInputs.bytes(dense, every.prunedUnits()[every.prunedUnits().length / 2], calib, true);
            for (Target target : Target.values()) {
                // three batches, the last one short: carried tensors are cut where the recompute path cuts
                PruneOptions.Builder b = PruneJob.defaults(dense).calibration(24).batchSize(10).iterations(3).target(target);
                Pruner.Outcome recomputed = Pruner.prune(dense, every, calib, b.memory(0).build(), new IspaspSelector(), Pruner.AfterUnit.NONE);
                try (Network expected = recomputed.model()) {
                    long[] bounds = target == Target.ORIGINAL ? new long[] {Long.MAX_VALUE, middle} : new long[] {Long.MAX_VALUE};
                    for (long memory : bounds) {
                        Pruner.Outcome carried = Pruner.prune(dense, every, calib, b.memory(memory).build(), new IspaspSelector(), Pruner.AfterUnit.NONE);
                        try (Network actual = carried.model()) {
                            String what = arch.name() + " target " + target + " memory " + memory;
                            assertSame(recomputed, carried, expected, actual, what);
                        }
                    }
                }
            }
        }
    }

    private static void assertSame(Pruner.Outcome a, Pruner.Outcome b, Network x, Network y, String what) {
        assertEquals(a.units().size(), b.units().size(), what);
        for (int u = 0; u < a.units().size(); u++) {
            assertArrayEquals(a.units().get(u).indices(), b.units().get(u).indices(), what + ", unit " + a.units().get(u).name());
        }
        Map<String, Tensor> sx = x.state(), sy = y.state();
        assertEquals(sx.keySet(), sy.keySet(), what);
        try (PointerScope scope = new PointerScope()) {
            for (String k : sx.keySet()) assertTrue(sx.get(k).equal(sy.get(k)), what + ": " + k + " differs");
        }
    }
}
