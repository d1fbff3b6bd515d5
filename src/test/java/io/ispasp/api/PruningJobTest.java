package io.ispasp.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;

import io.ispasp.core.Method;
import io.ispasp.core.PruneReport;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.NetFixtures;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.engine.Tensors;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API: building, running, progress, cancellation, errors, and what close() releases. */
class PruningJobTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void init() { TorchRuntime.init(); }

    static final Architecture TINY_RESNET = Architectures.parse("resnet18 form=cifar width=0.125 classes=10");

    static Iterator<float[]> images(int n, int side, long seed) {
        Random r = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[3 * side * side];
            for (int j = 0; j < x.length; j++) x[j] = (float) r.nextGaussian();
            out.add(x);
        }
        return out.iterator();
    }

    @Test
    void convJobFromAFileReportsProgressAndSavesASmallerTorchScriptModel() throws IOException {
        Path file = dir.resolve("dense.pt");
        try (Network net = NetFixtures.randomized(TINY_RESNET, 1)) {
            ModelFile.save(net, file);
        }
        List<ProgressListener.UnitProgress> seen = new ArrayList<>();
        try (PruningJob job = PruningJob.builder().model(file).calibration(CalibrationData.ofArrays(images(40, 32, 2), 3, 32, 32))
                .layout("blocks:layer2.1=0.5,layer3.0=0.25").iterations(5).progress(seen::add).build()) {
            PruningResult r = job.run();
            assertEquals(List.of("layer2.1", "layer3.0"), seen.stream().map(ProgressListener.UnitProgress::unit).toList());
            assertEquals(List.of(1, 2), seen.stream().map(ProgressListener.UnitProgress::done).toList());
            assertEquals(2, seen.get(0).total());
            PruneReport report = r.report();
            assertEquals(40, report.calibration());
            assertTrue(report.params().after() < report.params().before());
            assertTrue(r.report().toJson().contains("\"layer3.0\""));
            assertEquals(8, r.model().unit(3).groups());
            assertEquals("layer3.0.bn1", report.units().get(1).hidden());
            Path out = dir.resolve("pruned.pt");
            r.save(out);
            try (Network back = ModelFile.load(out)) {
                assertEquals(r.model().architecture(), back.architecture());
                assertArrayEquals(r.model().widths(), back.widths());
            }
        }
    }

    @Test
    void mlpJobTakesTensorBatchesAndLabels() throws IOException {
        Network dense = Network.random(Mlp.relu(20, 30, 16, 4), 3);
        List<Tensor> batches = new ArrayList<>();
        Random r = new Random(4);
        int[] labels = new int[96];
        for (int b = 0; b < 3; b++) {
            float[] x = new float[32 * 20];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            batches.add(Tensors.of(x, 32, 20));
        }
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(4);
        try (PruningJob job = PruningJob.builder().model(dense).calibration(CalibrationData.ofTensors(batches.iterator()).withLabels(labels))
                .ratio(0.5).method(Method.GFS).calibrationLimit(80).build()) {
            PruningResult res = job.run();
            assertArrayEquals(new int[] {15, 8}, res.model().widths());
            PruneReport rep = res.report();
            assertEquals(80, rep.calibration(), "the limit cuts the third batch");
            assertEquals(List.of("0", "2"), rep.units().stream().map(PruneReport.UnitReport::name).toList(), "Sequential module paths");
        }
        assertEquals(30, dense.unit(0).groups(), "the caller's model is only read");
        dense.close();
    }

    /** The variant and the single settings reach the run: the report says what ran, and the paper variant keeps B's columns. */
    @Test
    void variantAndSettingsReachTheRun() throws IOException {
        Network dense = Network.random(Mlp.relu(20, 30, 16, 4), 5);
        Random r = new Random(6);
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            float[] x = new float[20];
            for (int j = 0; j < 20; j++) x[j] = (float) r.nextGaussian();
            rows.add(x);
        }
        String[] expected = {"best", "paper", "custom"};
        for (int v = 0; v < 3; v++) {
            PruningJob.Builder b = PruningJob.builder().model(dense).calibration(CalibrationData.ofArrays(rows.iterator(), 20)).ratio(0.3);
            if (v == 1) b.variant(io.ispasp.core.Variant.PAPER);
            if (v == 2) b.variant(io.ispasp.core.Variant.PAPER).threshold(io.ispasp.core.Threshold.LSQ);
            try (PruningJob job = b.build()) {
                PruneReport rep = job.run().report();
                assertEquals(expected[v], rep.variant());
                assertEquals(v == 0, rep.refit());
                assertEquals(v == 0 ? "group-norm" : "signed-sum", rep.score());
                assertEquals(v == 1 ? "mass" : "lsq", rep.threshold());
                assertEquals(v == 0 ? "original" : "current", rep.target());
                for (PruneReport.UnitReport u : rep.units()) assertEquals(v == 0, u.residualAfter() != null, u.name());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> PruningJob.builder().variant(io.ispasp.core.Variant.CUSTOM));
        dense.close();
    }

    @Test
    void cancellingFromTheListenerStopsTheJobAndCloseReleasesIt() {
        try (Network net = NetFixtures.randomized(TINY_RESNET, 5)) {
            PruningJob[] self = new PruningJob[1];
            List<String> units = new ArrayList<>();
            self[0] = PruningJob.builder().model(net).calibration(CalibrationData.ofArrays(images(16, 32, 6), 3, 32, 32))
                    .ratio(0.5).progress(p -> { units.add(p.unit()); self[0].cancel(); }).build();
            try (PruningJob job = self[0]) {
                assertThrows(CancellationException.class, job::run);
                assertEquals(1, units.size(), "stopped at the next checkpoint, before the second unit");
                assertTrue(job.isCancelled());
                assertThrows(IllegalStateException.class, job::run, "a job runs once");
            }
            try (PointerScope s = new PointerScope()) {
                assertEquals(10, net.forward(NetFixtures.inputs(TINY_RESNET, 1, 1)).size(1), "the caller's net is intact");
            }
        }
    }

    @Test
    void cancelFromAnotherThreadStopsAGfsRun() throws Exception {
        try (Network net = NetFixtures.randomized(TINY_RESNET, 5);
             PruningJob job = PruningJob.builder().model(net).calibration(CalibrationData.ofArrays(images(64, 32, 6), 3, 32, 32))
                     .method(Method.GFS).ratio(0.5).build()) {
            Thread canceller = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                job.cancel();
            });
            canceller.start();
            long t0 = System.nanoTime();
            assertThrows(CancellationException.class, job::run);
            canceller.join();
            assertTrue((System.nanoTime() - t0) / 1e9 < 30, "GFS on every unit would take far longer than the cancel");
        }
    }

    @Test
    void badSettingsAndDataAreClearErrors() {
        Network mlp = Network.random(Mlp.relu(6, 5, 2), 1);
        CalibrationData data = CalibrationData.ofArrays(List.of(new float[6]).iterator(), 6);
        assertThrows(IllegalArgumentException.class, () -> PruningJob.builder().model(mlp).calibration(data).ratio(1.5).build());
        assertThrows(IllegalArgumentException.class, () -> PruningJob.builder().model(mlp).calibration(data).build());
        assertThrows(IllegalArgumentException.class, () -> PruningJob.builder().calibration(data).ratio(0.5).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PruningJob.builder().model(mlp)
                .calibration(CalibrationData.ofArrays(List.of(new float[7]).iterator(), 7)).ratio(0.5).build().run());
        assertTrue(e.getMessage().contains("7 values, the MLP takes 6"), e.getMessage());
        float[] nan = new float[6];
        nan[2] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> PruningJob.builder().model(mlp)
                .calibration(CalibrationData.ofArrays(List.of(new float[6], nan).iterator(), 6)).ratio(0.5).build().run());
        assertTrue(e.getMessage().contains("sample 1 holds NaN"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> PruningJob.builder().model(dir.resolve("none.pt"))
                .calibration(data).ratio(0.5).build().run());
    }
}
