package io.ispasp.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.ispasp.core.PruneReport;
import io.ispasp.nn.NetFixtures;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.engine.Tensors;
import io.ispasp.runtime.NativeHeap;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Four jobs on four different models at once in one JVM: each result equals the same job run alone (same kept
 * groups in every unit, same outputs), and once the jobs are closed the native heap is back at its baseline.
 */
class ConcurrentJobsTest {
    private static final int JOBS = 4;
    private static final long NOISE = 8_000_000;
    private static Network resnet, mobilenet, wide, mlp;

    @BeforeAll
    static void models() {
        TorchRuntime.init();
        resnet = NetFixtures.randomized(Architectures.parse("resnet18 form=cifar width=0.125 classes=10"), 1);
        mobilenet = NetFixtures.randomized(Architectures.parse("mobilenet_v2 form=cifar width=0.25 classes=10"), 2);
        wide = NetFixtures.randomized(Architectures.parse("resnet18 form=cifar width=0.75 classes=10"), 3);
        mlp = Network.random(Mlp.relu(64, 4096, 4096, 10), 4); // its pruned copy alone is 19 MB: the heap figure must see it
    }

    @AfterAll
    static void release() {
        resnet.close();
        mobilenet.close();
        wide.close();
        mlp.close();
    }

    /** What a job produced, in plain Java: kept groups per unit and the pruned model's output on a probe input. */
    record Outcome(List<int[]> kept, float[] probe, long bytes) {}

    private static PruningJob job(int which) {
        PruningJob.Builder b = PruningJob.builder().iterations(8).seed(which);
        return switch (which) {
            case 0 -> b.model(resnet).calibration(CalibrationData.ofArrays(PruningJobTest.images(48, 32, 10), 3, 32, 32)).flopsTarget(0.7).build();
            case 1 -> b.model(mobilenet).calibration(CalibrationData.ofArrays(PruningJobTest.images(48, 32, 11), 3, 32, 32)).layout("reference").build();
            case 2 -> b.model(wide).calibration(CalibrationData.ofArrays(PruningJobTest.images(48, 32, 12), 3, 32, 32)).ratio(0.6).build();
            default -> b.model(mlp).calibration(CalibrationData.ofArrays(vectors(512, 64, 13), 64)).ratio(0.5).build();
        };
    }

    private static java.util.Iterator<float[]> vectors(int n, int d, long seed) {
        java.util.Random r = new java.util.Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[d];
            for (int j = 0; j < d; j++) x[j] = (float) Math.abs(r.nextGaussian());
            out.add(x);
        }
        return out.iterator();
    }

    private static Outcome outcome(PruningResult r) {
        List<int[]> kept = r.report().units().stream().map(PruneReport.UnitReport::indices).toList();
        try (PointerScope scope = new PointerScope()) {
            Network m = r.model();
            Tensor y = m.architecture() instanceof Mlp ? m.forward(Tensors.of(new float[128], 2, 64).add(new org.bytedeco.pytorch.Scalar(0.5)))
                    : m.forward(NetFixtures.inputs(m.architecture(), 2, 99));
            long bytes = m.params() * 4;
            return new Outcome(kept, Tensors.floats(y), bytes);
        }
    }

    @Test
    void fourConcurrentJobsMatchTheirSoloRunsAndReleaseTheirMemory() throws Exception {
        Outcome[] alone = new Outcome[JOBS];
        for (int i = 0; i < JOBS; i++) {
            long t0 = System.nanoTime();
            try (PruningJob j = job(i)) {
                alone[i] = outcome(j.run());
            }
            System.out.printf("job %d alone: %.2f s%n", i, (System.nanoTime() - t0) / 1e9);
        }
        long baseline = NativeHeap.inUse();

        for (int round = 0; round < Integer.getInteger("rounds", 2); round++) {
            ExecutorService pool = Executors.newFixedThreadPool(JOBS);
            CountDownLatch start = new CountDownLatch(1);
            List<PruningJob> jobs = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) jobs.add(job(i));
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                PruningJob j = jobs.get(i);
                futures.add(pool.submit((Callable<Outcome>) () -> {
                    start.await();
                    return outcome(j.run());
                }));
            }
            start.countDown();
            long expected = 0;
            for (int i = 0; i < JOBS; i++) {
                Outcome together = futures.get(i).get();
                expected += together.bytes();
                assertEquals(alone[i].kept().size(), together.kept().size());
                for (int u = 0; u < together.kept().size(); u++) {
                    assertArrayEquals(alone[i].kept().get(u), together.kept().get(u), "job " + i + " unit " + u + ": same groups kept");
                }
                assertArrayEquals(alone[i].probe(), together.probe(), 1e-5f, "job " + i + ": same pruned model");
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)); // thread-local native state goes with the threads
            long alive = NativeHeap.inUse() - baseline;
            jobs.forEach(PruningJob::close);
            long left = NativeHeap.inUse() - baseline;
            // a pool thread's last handles may still wait for the collector's deallocators: give them a few chances
            for (int attempt = 0; attempt < 5 && left >= NOISE; attempt++) {
                System.gc();
                Thread.sleep(200);
                left = NativeHeap.inUse() - baseline;
            }
            System.out.printf("round %d: native heap %+.1f MB with the 4 results alive (their parameters: %.1f MB), %+.1f MB after close%n",
                    round, alive / 1e6, expected / 1e6, left / 1e6);
            // the JVM's own mallocs move the figure by a few MB either way; the results are far more than that
            assertTrue(alive > expected - NOISE, "the heap figure sees the results' " + expected / 1e6 + " MB: " + alive / 1e6 + " MB");
            assertTrue(left < NOISE, "native heap " + left / 1e6 + " MB above its baseline after close()");
        }
    }
}
