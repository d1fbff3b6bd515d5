package io.ispasp.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.ispasp.core.Method;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.runtime.NativeHeap;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

/**
 * A service's long life: 400 small jobs one after another in one JVM (every method, a fresh model each time), run
 * and closed. After a warm-up of 100 jobs the native heap stays flat: the bound (8 MB over 300 jobs) catches a leak
 * of 27 KB per job.
 */
class LongRunTest {
    @Test
    void fourHundredJobsKeepTheNativeHeapFlat() throws Exception {
        TorchRuntime.init();
        Method[] methods = Method.values();
        long warm = 0;
        for (int i = 0; i < 400; i++) {
            try (Network net = Network.random(Mlp.relu(24, 48, 6), i);
                 PruningJob job = PruningJob.builder().model(net).calibration(CalibrationData.ofArrays(samples(128, 24, i), 24))
                         .method(methods[i % methods.length]).ratio(0.5).seed(i).build()) {
                PruningResult r = job.run();
                assertEquals(24, r.model().unit(0).groups());
            }
            if (i == 99) warm = settled();
        }
        long grown = settled() - warm;
        System.out.printf("native heap after 100 jobs %.1f MB, after 400 %+.2f MB%n", warm / 1e6, grown / 1e6);
        // other tests' leftovers in the same JVM move the figure by a few MB either way
        assertTrue(grown < 8_000_000, "the native heap grew by " + grown / 1e6 + " MB over 300 jobs");
    }

    private static long settled() throws InterruptedException {
        System.gc();
        Thread.sleep(100);
        return NativeHeap.inUse();
    }

    private static java.util.Iterator<float[]> samples(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[d];
            for (int j = 0; j < d; j++) x[j] = (float) r.nextGaussian();
            out.add(x);
        }
        return out.iterator();
    }
}
