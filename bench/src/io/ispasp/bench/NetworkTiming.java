package io.ispasp.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.ispasp.core.Device;
import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.job.PruneJob;
import io.ispasp.job.TensorCalibration;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.prune.IspaspSelector;
import io.ispasp.prune.Layout;
import io.ispasp.prune.Pruner;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;

/**
 * Whole-network i-SpaSP against one dense forward, side by side in one run: for each ImageNet-form model (random
 * weights, random images), the time of one eval forward over the calibration images (after a warm-up batch), then
 * the engine's default i-SpaSP over the reference layout (every unit at 0.5 where there is none) with every unit's
 * input recomputed from the images ({@code --memory 0}) and carried from unit to unit (the default), their ratios
 * to the forward, and the time split (data pass, loop) of each. The two runs keep the same groups (checked here).
 * Usage: {@code NetworkTiming [INPUT=112] [IMAGES=256] [ARCH...]} (default resnet34 resnet50 mobilenet_v2).
 */
public final class NetworkTiming {
    private NetworkTiming() {}

    public static void main(String[] args) {
        TorchRuntime.init();
        int input = args.length > 0 ? Integer.parseInt(args[0]) : 112;
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        List<String> archs = args.length > 2 ? List.of(args).subList(2, args.length) : List.of("resnet34", "resnet50", "mobilenet_v2");
        List<String> rows = new ArrayList<>();
        for (String name : archs) {
            Architecture arch = Architectures.image(name, false, 1.0, 1000);
            try (Network dense = Network.random(arch, 1); TensorCalibration calib = WholeNetTiming.calibration(images, input)) {
                boolean reference = arch.referenceRatios() != null;
                Layout layout = reference ? Layout.reference(dense) : Layout.every(dense, 0.5);
                String layoutName = reference ? "reference" : "every 0.5";
                double forward = forward(dense, calib, images);
                PruneOptions.Builder b = PruneJob.defaults(dense).method(Method.ISPASP).calibration(images).device(Device.CPU);
                Run recompute = run(dense, layout, calib, b.memory(0).build());
                Run carried = run(dense, layout, calib, b.memory(-1).build());
                if (!recompute.kept.equals(carried.kept)) throw new IllegalStateException(name + ": the carried run kept other groups");
                rows.add(String.format(Locale.ROOT, "| %s | %s (%d units) | %.1f | %.1f (%.1f + %.1f) | %.1fx | %.1f (%.1f + %.1f) | %.1fx | %.1fx |",
                        name, layoutName, layout.prunedUnits().length, forward, recompute.total, recompute.data, recompute.loop,
                        recompute.total / forward, carried.total, carried.data, carried.loop, carried.total / forward,
                        recompute.total / carried.total));
            }
        }
        System.out.printf(Locale.ROOT, "ImageNet forms, random weights, %d random images at %dx%d, default i-SpaSP (T = 20), CPU kernels; %s%n%n",
                images, input, input, Machine.describe());
        System.out.println("| model | layout | dense forward s | recompute s (data + loop) | / forward | carried s (data + loop) | / forward | speed-up |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private record Run(double total, double data, double loop, List<String> kept) {}

    private static Run run(Network dense, Layout layout, TensorCalibration calib, PruneOptions o) {
        long t0 = System.nanoTime();
        Pruner.Outcome out = Pruner.prune(dense, layout, calib, o, new IspaspSelector(), Pruner.AfterUnit.NONE);
        double total = (System.nanoTime() - t0) / 1e9;
        out.model().close();
        double data = out.units().stream().mapToDouble(u -> u.dataSeconds()).sum();
        double loop = out.units().stream().mapToDouble(u -> u.iterationSeconds()).sum();
        return new Run(total, data, loop, out.units().stream().map(u -> java.util.Arrays.toString(u.indices())).toList());
    }

    /** One eval forward over the images in batches of 64, after one untimed batch (oneDNN makes its kernels then). */
    private static double forward(Network dense, TensorCalibration calib, int images) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            dense.forward(calib.inputs(0, Math.min(images, 64)));
            long t0 = System.nanoTime();
            for (int from = 0; from < images; from += 64) dense.forward(calib.inputs(from, Math.min(images, from + 64)));
            return (System.nanoTime() - t0) / 1e9;
        }
    }
}
