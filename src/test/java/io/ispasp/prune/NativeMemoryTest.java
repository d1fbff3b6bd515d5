package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.data.Dataset;
import io.ispasp.nn.Network;
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
    void repeatedSelectionsDoNotGrowTheNativeHeap() {
        Network m = Fixtures.mlp(3, 64, 512, 256);
        Dataset d = Fixtures.gaussian(4096, 64, 3, 3);
        PruneOptions direct = PruneOptions.builder().ratio(0.1).score(Score.GROUP_NORM).path(io.ispasp.core.PathChoice.DIRECT).iterations(5).earlyStop(false).build();
        PruneOptions stats = direct.toBuilder().path(io.ispasp.core.PathChoice.STATISTICS).build();
        // The allocator settles during the first window (arenas, caches); a leak keeps growing in the second.
        // Each run holds H = 4096 x 512 floats (8 MB) plus several 512 x 512 doubles: 15 leaking runs add > 120 MB.
        for (int i = 0; i < 5; i++) runBoth(m, d, direct, stats);
        long start = nativeResident();
        for (int i = 0; i < 15; i++) runBoth(m, d, direct, stats);
        long settled = nativeResident();
        for (int i = 0; i < 15; i++) runBoth(m, d, direct, stats);
        long grown = nativeResident() - settled;
        assertTrue(grown < 40L << 20, "the native heap grew by " + (grown >> 20) + " MB over the last 15 runs (first window: "
                + ((settled - start) >> 20) + " MB)");
    }

    /** Every native object a selection creates is released when it returns: none waits for the garbage collector. */
    @Test
    void selectionsReleaseEveryNativeObject() {
        Network m = Fixtures.mlp(5, 16, 64, 32, 10);
        Dataset d = Fixtures.gaussian(300, 16, 3, 5);
        for (io.ispasp.core.PathChoice path : io.ispasp.core.PathChoice.values()) {
            for (boolean refit : new boolean[] {false, true}) {
                PruneOptions o = PruneOptions.builder().ratio(0.25).path(path).refit(refit).batchSize(128).build();
                new IspaspSelector().select(Fixtures.unit(m, 1, d, o)); // warm-up: lazily created singletons
                long before = Pointer.totalCount();
                for (int i = 0; i < 3; i++) new IspaspSelector().select(Fixtures.unit(m, 1, d, o));
                long after = Pointer.totalCount();
                assertTrue(after - before <= 0, path + " refit=" + refit + ": " + (after - before) + " native objects left for the GC");
            }
        }
        for (io.ispasp.core.Method method : io.ispasp.core.Method.values()) {
            PruneOptions o = PruneOptions.builder().method(method).ratio(0.25).gfsCandidates(5).batchSize(128).build();
            Selector selector = io.ispasp.job.PruneJob.selector(method);
            selector.select(Fixtures.unit(m, 0, d, o));
            long before = Pointer.totalCount();
            for (int i = 0; i < 2; i++) selector.select(Fixtures.unit(m, 0, d, o));
            long after = Pointer.totalCount();
            assertTrue(after - before <= 0, method + ": " + (after - before) + " native objects left for the GC");
        }
    }

    /**
     * Resident bytes minus the committed Java heap (which grows lazily and would otherwise look like a leak). No
     * System.gc() here: a collection would free unreachable tensors and hide exactly the missing scopes looked for.
     */
    /** glibc's in-use native heap: unlike RSS minus the Java heap, it does not move when G1 commits or uncommits heap. */
    private static long nativeResident() {
        return io.ispasp.runtime.NativeHeap.inUse();
    }

    private static void runBoth(Network m, Dataset d, PruneOptions direct, PruneOptions stats) {
        new IspaspSelector().select(Fixtures.unit(m, 0, d, direct));
        new IspaspSelector().select(Fixtures.unit(m, 0, d, stats));
    }
}
