package io.ispasp.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.ispasp.core.Device;
import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.PruneReport;
import io.ispasp.core.PruneReport.UnitReport;
import io.ispasp.core.Target;
import io.ispasp.core.Variant;
import io.ispasp.job.PruneJob;
import io.ispasp.job.TensorCalibration;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.prune.IspaspSelector;
import io.ispasp.prune.Layout;
import io.ispasp.prune.Pruner;
import io.ispasp.prune.Selector;
import io.ispasp.runtime.ProcessMemory;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;

/**
 * Whole-network i-SpaSP against one dense forward, side by side in one run: for each ImageNet-form model (random
 * weights, random images), the time of one eval forward over the calibration images (after a warm-up batch), then
 * the engine's default i-SpaSP over the reference layout (every unit at 0.5 where there is none) with inputs carried
 * from unit to unit (the default, within the memory bound, spilling beyond it), its ratio to the forward, where the
 * time went and the peak memory; with {@code --recompute} also every unit's input recomputed from the images
 * ({@code --memory 0 --spill none}, what earlier versions did), checking both keep the same groups. GFS (K = 50) is
 * extrapolated for the first pruned unit from timed candidate evaluations ({@link WholeNetTiming#gfsEstimate}).
 * {@code --variant paper} prunes with the authors' settings (current target: no dense chain) instead of the default;
 * {@code --target current|original} overrides the variant's target ({@code --target current}: one chain of X).
 * Usage: {@code NetworkTiming [INPUT=112] [IMAGES=256] [--recompute] [--memory BYTES] [--variant best|paper]
 * [--target current|original] [ARCH...]}
 * (default resnet34 resnet50 mobilenet_v2).
 */
public final class NetworkTiming {
    private NetworkTiming() {}

    public static void main(String[] args) {
        TorchRuntime.init();
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        boolean recomputeToo = rest.remove("--recompute");
        String memoryArg = BenchArgs.take(rest, "--memory"), variantArg = BenchArgs.take(rest, "--variant"),
                targetArg = BenchArgs.take(rest, "--target");
        long memory = memoryArg == null ? -1 : Long.parseLong(memoryArg);
        Variant variant = variantArg == null ? Variant.BEST : Variant.parse(variantArg);
        Target target = targetArg == null ? null : Target.parse(targetArg);
        int input = !rest.isEmpty() ? Integer.parseInt(rest.remove(0)) : 112;
        int images = !rest.isEmpty() ? Integer.parseInt(rest.remove(0)) : 256;
        List<String> archs = !rest.isEmpty() ? rest : List.of("resnet34", "resnet50", "mobilenet_v2");
        List<String> rows = new ArrayList<>(), recomputed = new ArrayList<>(), gfs = new ArrayList<>();
        for (String name : archs) {
            Architecture arch = Architectures.image(name, false, 1.0, 1000);
            try (Network dense = Network.random(arch, 1); TensorCalibration calib = WholeNetTiming.calibration(images, input)) {
                boolean reference = arch.referenceRatios() != null;
                Layout layout = reference ? Layout.reference(dense) : Layout.every(dense, 0.5);
                String layoutName = (reference ? "reference" : "every 0.5") + " (" + layout.prunedUnits().length + " units)";
                ProcessMemory.resetPeak();
                double forward = forward(dense, calib, images);
                long forwardRss = ProcessMemory.peakRss();
                PruneOptions.Builder b = variant.applyTo(PruneJob.defaults(dense).method(Method.ISPASP).calibration(images).device(Device.CPU));
                if (target != null) b.target(target);
                PruneOptions carriedOptions = b.memory(memory).build();
                ProcessMemory.resetPeak();
                Run carried = run(dense, layout, calib, carriedOptions, true);
                long pruneRss = ProcessMemory.peakRss();
                rows.add(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.2fx | %.1f / %.1f / %.1f / %.1f / %.1f | %s | %s / %s | %s / %s |",
                        name, layoutName, forward, carried.total, carried.total / forward, carried.split.inputs(), carried.split.data(),
                        carried.split.iterations(), carried.split.refit(), carried.split.surgery(), gib(carriedOptions.memory()), gib(carried.out.carriedPeak()),
                        gib(carried.out.spilledPeak()), gib(forwardRss), gib(pruneRss)));
                gfs.add(String.format(Locale.ROOT, "| %s | %s | %.2f | %.1f | %.0fx |", name, carried.firstUnit, carried.firstSeconds,
                        carried.firstGfs, carried.firstGfs / carried.firstSeconds));
                if (recomputeToo) {
                    Run recompute = run(dense, layout, calib, b.memory(0).spill(null).build(), false);
                    if (!recompute.kept.equals(carried.kept)) throw new IllegalStateException(name + ": the carried run kept other groups");
                    recomputed.add(String.format(Locale.ROOT, "| %s | %.1f | %.1fx | %.1f | %.1fx | %.1fx |", name, recompute.total,
                            recompute.total / forward, carried.total, carried.total / forward, recompute.total / carried.total));
                }
            }
        }
        System.out.printf(Locale.ROOT, "ImageNet forms, random weights, %d random images at %dx%d, i-SpaSP --variant %s%s (T = 20), CPU kernels; %s%n%n",
                images, input, input, variant, target == null ? "" : " --target " + target.cliName(), Machine.describe());
        System.out.println("| model | layout | dense forward s | i-SpaSP s | / forward | inputs / data / loop / refit / surgery s "
                + "| memory bound GiB | carried in memory / spilled GiB (peak) | peak RSS GiB: forward / prune |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println("\nGFS (K = 50, mini-batch 128) on the first pruned unit, extrapolated from 6 timed candidate evaluations, "
                + "against i-SpaSP's time on that unit (input + selection + surgery):\n");
        System.out.println("| model | unit | i-SpaSP s | GFS s (extrapolated) | GFS / i-SpaSP |");
        System.out.println("|---|---|---|---|---|");
        gfs.forEach(System.out::println);
        if (recomputeToo) {
            System.out.println("\nEvery unit's input recomputed from the images (`--memory 0 --spill none`) against carried, same groups kept (checked):\n");
            System.out.println("| model | recompute s | / forward | carried s | / forward | speed-up |");
            System.out.println("|---|---|---|---|---|---|");
            recomputed.forEach(System.out::println);
        }
    }

    private static String gib(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.2f", bytes / (double) (1L << 30));
    }

    /** A prune's time, split, and groups kept; with {@code probeGfs} also the first unit's time and GFS estimate. */
    private record Run(double total, PruneReport.Seconds split, List<String> kept, Pruner.Outcome out, String firstUnit,
                       double firstSeconds, double firstGfs) {}

    private static Run run(Network dense, Layout layout, TensorCalibration calib, PruneOptions o, boolean probeGfs) {
        IspaspSelector ispasp = new IspaspSelector();
        double[] gfs = {Double.NaN, 0};
        Selector selector = !probeGfs ? ispasp : unit -> {
            if (Double.isNaN(gfs[0])) {
                long p0 = System.nanoTime();
                gfs[0] = WholeNetTiming.gfsEstimate(unit, 6);
                gfs[1] = (System.nanoTime() - p0) / 1e9;
            }
            return ispasp.select(unit);
        };
        long t0 = System.nanoTime();
        Pruner.Outcome out = Pruner.prune(dense, layout, calib, o, selector, Pruner.AfterUnit.NONE);
        double total = (System.nanoTime() - t0) / 1e9 - gfs[1];
        out.model().close();
        List<UnitReport> u = out.units();
        PruneReport.Seconds split = PruneReport.Seconds.of(u, total, 0, 0);
        UnitReport first = u.get(0);
        double firstSeconds = first.inputSeconds() + first.selectionSeconds() + first.surgerySeconds();
        return new Run(total, split, u.stream().map(r -> Arrays.toString(r.indices())).toList(), out, first.name(), firstSeconds, gfs[0]);
    }

    /** One eval forward over the images in batches of 64, after one untimed batch (oneDNN makes its kernels then). */
    private static double forward(Network dense, TensorCalibration calib, int images) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            dense.forward(calib.inputs(0, Math.min(images, 64)));
            long t0 = System.nanoTime();
            for (int from = 0; from < images; from += 64) {
                try (PointerScope batch = new PointerScope()) {
                    dense.forward(calib.inputs(from, Math.min(images, from + 64)));
                }
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }
}
