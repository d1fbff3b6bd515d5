package io.ispasp.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import io.ispasp.core.Device;
import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.job.TensorCalibration;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.prune.IspaspSelector;
import io.ispasp.prune.Layout;
import io.ispasp.prune.Pruner;
import io.ispasp.prune.Selection;
import io.ispasp.prune.Selector;
import io.ispasp.prune.UnitData;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Whole-network pruning time of an ImageNet-form torchvision model with random weights: i-SpaSP on every unit at one
 * ratio, measured, and GFS on the same units, EXTRAPOLATED from timed candidate evaluations. GFS with K candidates
 * per step and s = floor(ratio N) steps evaluates sum_{n < s} min(K, N - n) candidates, each a forward of the rest of
 * the network on a mini-batch; per unit we time the mini-batch preparation (X, H) and {@code probe} candidate
 * evaluations, on the network as i-SpaSP has pruned it up to that unit, and multiply out.
 * Usage: {@code WholeNetTiming ARCH [INPUT=112] [IMAGES=256] [RATIO=0.5] [K=50] [GFS_BATCH=128] [PROBE=6]}.
 */
public final class WholeNetTiming {
    private WholeNetTiming() {}

    public static void main(String[] args) {
        TorchRuntime.init();
        String name = args[0];
        int input = args.length > 1 ? Integer.parseInt(args[1]) : 112;
        int images = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        double ratio = args.length > 3 ? Double.parseDouble(args[3]) : 0.5;
        int k = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        int gfsBatch = args.length > 5 ? Integer.parseInt(args[5]) : 128;
        int probe = args.length > 6 ? Integer.parseInt(args[6]) : 6;
        Architecture arch = Architectures.image(name, false, 1.0, 1000);
        PruneOptions o = PruneOptions.builder().method(Method.ISPASP).ratio(ratio).calibration(images).score(Score.CORRELATION)
                .batchSize(64).gfsCandidates(k).gfsBatch(gfsBatch).device(Device.CPU).build();
        long t0 = System.nanoTime();
        try (Network dense = Network.random(arch, 1); TensorCalibration calib = calibration(images, input)) {
            double init = (System.nanoTime() - t0) / 1e9;
            List<String> rows = new ArrayList<>();
            double[] gfsTotal = {0}, probeSeconds = {0};
            IspaspSelector ispasp = new IspaspSelector();
            Selector timed = unit -> {
                long p0 = System.nanoTime();
                double est = gfsEstimate(unit, probe);
                probeSeconds[0] += (System.nanoTime() - p0) / 1e9;
                long s0 = System.nanoTime();
                Selection sel = ispasp.select(unit);
                double took = (System.nanoTime() - s0) / 1e9;
                gfsTotal[0] += est;
                rows.add(String.format(Locale.ROOT, "| %s | %d -> %d | %s | %.2f | %.1f |", unit.name(), unit.groups(), unit.keep(),
                        sel.path(), took, est));
                return sel;
            };
            long p0 = System.nanoTime();
            var out = Pruner.prune(dense, Layout.every(dense, ratio), calib, o, timed, Pruner.AfterUnit.NONE);
            double total = (System.nanoTime() - p0) / 1e9 - probeSeconds[0];
            long fwd0 = System.nanoTime();
            try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                for (int from = 0; from < images; from += 64) dense.forward(calib.inputs(from, Math.min(images, from + 64)));
            }
            double forward = (System.nanoTime() - fwd0) / 1e9;
            out.model().close();
            System.out.printf(Locale.ROOT, "%s ImageNet form, random weights, %d images at %dx%d, every unit at %.2f (%d units), %s%n",
                    name, images, input, input, ratio, rows.size(), Machine.describe());
            System.out.println("| unit | groups | i-SpaSP path | i-SpaSP s | GFS s (extrapolated) |");
            System.out.println("|---|---|---|---|---|");
            rows.forEach(System.out::println);
            System.out.printf(Locale.ROOT, "%ni-SpaSP whole network: %.1f s measured (init %.1f s not counted); GFS (K = %d, batch %d): "
                    + "%.0f s extrapolated from %d timed candidate evaluations per unit; GFS / i-SpaSP = %.0fx; one dense forward "
                    + "of the %d images: %.1f s%n", total, init, k, gfsBatch, gfsTotal[0], probe, gfsTotal[0] / total, images, forward);
        }
    }

    /** {@code n} random images of {@code side} x {@code side} with random labels of 1000 classes, seeded. */
    static TensorCalibration calibration(int n, int side) {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(3);
            return new TensorCalibration(torch.randn(n, 3, side, side), torch.randint(1000, new long[] {n}, new TensorOptions(torch.ScalarType.Long)));
        }
    }

    /** GFS's time on this unit: steps x (mini-batch preparation) + candidates x (one candidate evaluation), timed. */
    static double gfsEstimate(UnitData unit, int probe) {
        int n = unit.groups(), s = unit.keep(), k = unit.options().gfsCandidates();
        long candidates = 0;
        for (int step = 0; step < s; step++) candidates += k == 0 ? n - step : Math.min(k, n - step);
        SplittableRandom rnd = new SplittableRandom(1);
        int batch = Math.min(unit.options().gfsBatch(), unit.calibration().size());
        int[] rows = new int[batch];
        for (int i = 0; i < batch; i++) rows[i] = rnd.nextInt(unit.calibration().size());
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            long t0 = System.nanoTime();
            Tensor x = unit.input(rows);
            Tensor h = unit.hidden(x);
            Tensor labels = unit.calibration().labels(rows);
            labels.sum().item_double(); // materialised
            double prepare = (System.nanoTime() - t0) / 1e9;
            float[] mask = new float[n];
            for (int i = 0; i < n; i += 2) mask[i] = 2f;
            unit.unit().forwardFromHidden(x, h.mul(unit.groupVector(mask))); // warm-up
            long t1 = System.nanoTime();
            for (int p = 0; p < probe; p++) {
                try (PointerScope inner = new PointerScope()) {
                    mask[p % n] = 1f;
                    torch.cross_entropy(unit.unit().forwardFromHidden(x, h.mul(unit.groupVector(mask))), labels).item_double();
                }
            }
            double perCandidate = (System.nanoTime() - t1) / 1e9 / probe;
            return s * prepare + candidates * perCandidate;
        }
    }

}
