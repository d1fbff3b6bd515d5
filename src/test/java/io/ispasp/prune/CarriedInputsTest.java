package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
import io.ispasp.nn.Surgery;
import io.ispasp.nn.Unit;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Carrying each unit's input from the previous unit gives the very same pruned network as recomputing it from the
 * samples, on every architecture of the conformance suite: the same groups kept in every unit and bit-identical
 * weights, for the original and the current target; and (original target) when the memory bound lets only some
 * units stay in memory, with the rest spilled to a scratch file or, without a spill folder, recomputed; and with
 * everything spilled. Spilling really happens where the bound asks for it, and leaves no file behind.
 */
class CarriedInputsTest {
    @TempDir
    static Path spill;

    @BeforeAll
    static void init() { TorchRuntime.init(); }

    static Stream<Architecture> architectures() { return NetFixtures.all().stream(); }

    @ParameterizedTest
    @MethodSource("architectures")
    void carriedInputsGiveTheRecomputedResult(Architecture arch) throws IOException {
        try (Network dense = NetFixtures.randomized(arch, 3); TensorCalibration calib = NetCalibration.of(arch, 24, 5)) {
            Layout every = Layout.every(dense, 0.5);
            long middle = CarriedInputs.bytes(dense, dense, every.prunedUnits()[every.prunedUnits().length / 2], calib, true);
            for (Target target : Target.values()) {
                // three batches, the last one short: carried tensors are cut where the recompute path cuts
                PruneOptions.Builder b = PruneJob.defaults(dense).calibration(24).batchSize(10).iterations(3).target(target);
                Pruner.Outcome recomputed = Pruner.prune(dense, every, calib, b.memory(0).spill(null).build(), new IspaspSelector(), Pruner.AfterUnit.NONE);
                assertEquals(0, recomputed.carriedPeak() + recomputed.spilledPeak(), "nothing carried with --memory 0 --spill none");
                try (Network expected = recomputed.model()) {
                    long[] bounds = target == Target.ORIGINAL ? new long[] {Long.MAX_VALUE, middle, 0} : new long[] {Long.MAX_VALUE};
                    for (long memory : bounds) {
                        for (Path folder : memory == Long.MAX_VALUE ? new Path[] {spill} : new Path[] {null, spill}) {
                            if (memory == 0 && folder == null) continue;
                            Pruner.Outcome carried = Pruner.prune(dense, every, calib, b.memory(memory).spill(folder).build(),
                                    new IspaspSelector(), Pruner.AfterUnit.NONE);
                            try (Network actual = carried.model()) {
                                String what = arch.name() + " target " + target + " memory " + memory + " spill " + folder;
                                assertSame(recomputed, carried, expected, actual, what);
                                assertTrue(carried.carriedPeak() <= memory, what + ": " + carried.carriedPeak() + " bytes in memory");
                                if (memory == Long.MAX_VALUE) assertEquals(0, carried.spilledPeak(), what);
                                if (memory == 0) assertTrue(carried.spilledPeak() > 0, what + ": nothing spilled");
                                assertEquals(List.of(), listing(spill), what + ": files left in the spill folder");
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * With the original target, the pass that computes the dense B's output at a unit stores the dense X at the next
     * unit on the way: every batch (all of them, or only some, the rest filled when moving on), in memory or spilled,
     * and what the next unit then reads is the dense X recomputed from the samples, bit for bit.
     */
    @ParameterizedTest
    @MethodSource("architectures")
    void theDenseTargetPassCarriesTheDenseInputToTheNextUnit(Architecture arch) {
        try (Network dense = NetFixtures.randomized(arch, 3); TensorCalibration calib = NetCalibration.of(arch, 24, 5);
             NoGradGuard g = new NoGradGuard()) {
            int[] units = Layout.every(dense, 0.5).prunedUnits();
            if (units.length < 3) return;
            int first = units[0], at = units[1], next = units[2];
            int[] half = new int[Math.max(1, dense.unit(first).groups() / 2)];
            for (int i = 0; i < half.length; i++) half[i] = i;
            try (Network cut = Surgery.keep(dense, first, half)) {
                for (boolean everyBatch : new boolean[] {true, false}) {
                    for (long memory : new long[] {Long.MAX_VALUE, 0}) {
                        CarryBudget budget = new CarryBudget(memory, spill);
                        String what = arch.name() + (everyBatch ? ", every batch" : ", the first batch") + ", memory " + memory;
                        CarriedInputs c = CarriedInputs.at(null, true, dense, cut, at, next, calib, 10, true, budget);
                        try (c) {
                            assertTrue(dense.unit(at).canPassTo(dense.unit(next).spec()) || !c.storedAhead(next), what);
                            for (int from = 0; from < 24; from += 10) {
                                if (!everyBatch && from > 0) break;
                                try (PointerScope scope = new PointerScope()) {
                                    assertTrue(c.originalBLinear(from, Math.min(24, from + 10)).equal(denseBLinear(dense, at, calib, from)), what);
                                }
                            }
                            boolean passes = dense.unit(at).canPassTo(dense.unit(next).spec());
                            assertEquals(passes && everyBatch, c.storedAhead(next), what + ": dense X stored ahead");
                            if (memory == 0 && passes) assertTrue(budget.peakDisk() > 0, what + ": nothing spilled");
                            try (Network cutNext = Surgery.keep(cut, at, new int[] {0})) {
                                c.advance(cutNext, next);
                            }
                            for (int from = 0; from < 24; from += 10) {
                                try (PointerScope scope = new PointerScope()) {
                                    assertTrue(c.originalBLinear(from, Math.min(24, from + 10)).equal(denseBLinear(dense, next, calib, from)),
                                            what + ": the next unit's dense target");
                                }
                            }
                        }
                        assertEquals(0, budget.inMemory(), what + ": bytes held after close");
                    }
                }
            }
        }
    }

    private static Tensor denseBLinear(Network dense, int unit, TensorCalibration calib, int from) {
        Unit d = dense.unit(unit);
        return d.bLinear(d.hidden(d.input(calib.inputs(from, Math.min(24, from + 10)))));
    }

    /** A spill folder that is gone by the time the prune spills: carrying falls back to recomputing, same result. */
    @Test
    void aSpillThatFailsFallsBackToRecomputing(@TempDir Path dir) throws Exception {
        Architecture arch = NetFixtures.all().get(0);
        try (Network dense = NetFixtures.randomized(arch, 3); TensorCalibration calib = NetCalibration.of(arch, 24, 5)) {
            Layout every = Layout.every(dense, 0.5);
            PruneOptions.Builder b = PruneJob.defaults(dense).calibration(24).batchSize(10).iterations(3);
            Pruner.Outcome recomputed = Pruner.prune(dense, every, calib, b.memory(0).spill(null).build(), new IspaspSelector(), Pruner.AfterUnit.NONE);
            Path gone = dir.resolve("gone");
            Files.createDirectory(gone);
            PruneOptions o = b.memory(0).spill(gone).build();
            Files.delete(gone);
            Pruner.Outcome fallback = Pruner.prune(dense, every, calib, o, new IspaspSelector(), Pruner.AfterUnit.NONE);
            try (Network x = recomputed.model(); Network y = fallback.model()) {
                assertSame(recomputed, fallback, x, y, arch.name() + " with a failed spill");
                assertEquals(0, fallback.spilledPeak());
            }
        }
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
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
