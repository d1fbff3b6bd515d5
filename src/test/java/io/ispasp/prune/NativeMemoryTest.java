package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ispasp.api.PruneOptions;
import io.ispasp.api.Score;
import io.ispasp.data.Dataset;
import io.ispasp.model.Mlp;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Repeated pruning work keeps native memory flat: every per-step tensor is released by its PointerScope. */
class NativeMemoryTest {
    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    @Test
    void repeatedSelectionsDoNotGrowResidentMemory() {
        Mlp m = Fixtures.mlp(3, 64, 512, 256);
        Dataset d = Fixtures.gaussian(2048, 64, 3, 3);
        PruneOptions direct = PruneOptions.builder().ratio(0.1).score(Score.GROUP_NORM).path(io.ispasp.api.PathChoice.DIRECT).iterations(5).earlyStop(false).build();
        PruneOptions stats = direct.toBuilder().path(io.ispasp.api.PathChoice.STATISTICS).build();
        // warm up allocator caches, then measure the resident size across many runs
        for (int i = 0; i < 3; i++) runBoth(m, d, direct, stats);
        long before = nativeResident();
        for (int i = 0; i < 25; i++) runBoth(m, d, direct, stats);
        long grown = nativeResident() - before;
        // each run touches ~2048 x 512 floats (4 MB) of H plus several 512 x 512 doubles; 25 leaked runs would be > 150 MB
        assertTrue(grown < 60L << 20, "resident memory grew by " + (grown >> 20) + " MB over 25 runs");
    }

    /** Resident bytes minus the committed Java heap (which grows lazily and would otherwise look like a leak). */
    private static long nativeResident() {
        System.gc();
        return Pointer.physicalBytes() - Runtime.getRuntime().totalMemory();
    }

    private static void runBoth(Mlp m, Dataset d, PruneOptions direct, PruneOptions stats) {
        new IspaspSelector().select(Fixtures.unit(m, 0, d, direct));
        new IspaspSelector().select(Fixtures.unit(m, 0, d, stats));
    }
}
