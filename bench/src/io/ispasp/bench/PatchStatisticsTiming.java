package io.ispasp.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.ispasp.core.Device;
import io.ispasp.core.PruneOptions;
import io.ispasp.engine.PatchGram;
import io.ispasp.job.PruneJob;
import io.ispasp.job.TensorCalibration;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.Unit;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.prune.UnitData;
import io.ispasp.prune.UnitStatistics;
import io.ispasp.runtime.TorchRuntime;

/**
 * The statistics pass of 3x3 units two ways, side by side in one process: patch rows into OpenBLAS's SYRK
 * ({@code UnitStatistics.gather(unit)}) against the shifted products of {@link PatchGram}, which the CPU uses. One
 * unit per ResNet34 stage (ImageNet form, random weights and images), each unit's input recomputed from the images
 * as part of both, alternating which goes first. Usage: {@code PatchStatisticsTiming [INPUT=224] [IMAGES=256] [REPS=3]}.
 */
public final class PatchStatisticsTiming {
    private PatchStatisticsTiming() {}

    public static void main(String[] args) {
        TorchRuntime.init();
        int input = args.length > 0 ? Integer.parseInt(args[0]) : 224;
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Architecture arch = Architectures.image("resnet34", false, 1.0, 1000);
        List<String> rows = new ArrayList<>();
        try (Network net = Network.random(arch, 1); TensorCalibration calib = WholeNetTiming.calibration(images, input)) {
            PruneOptions o = PruneJob.defaults(net).device(Device.CPU).build();
            for (String name : new String[] {"layer1.1", "layer2.1", "layer3.1", "layer4.1"}) {
                Unit u = net.unit(name);
                UnitData data = new UnitData(net, net, u.index(), u.groups() / 2, calib, o);
                double[] patchRows = new double[reps], shifted = new double[reps];
                for (int r = 0; r < reps; r++) {
                    boolean rowsFirst = r % 2 == 0;
                    if (rowsFirst) patchRows[r] = rows(data);
                    shifted[r] = shifted(data, u.groups());
                    if (!rowsFirst) patchRows[r] = rows(data);
                }
                long[] h = u.hiddenShape(calib.sampleShape());
                rows.add(String.format(Locale.ROOT, "| %s | %d | %dx%d | %s | %s | %s |", name, u.groups(), h[1], h[2], seconds(patchRows),
                        seconds(shifted), ratios(patchRows, shifted)));
            }
        }
        System.out.printf(Locale.ROOT, "ResNet34 (ImageNet form, random weights), %d random images at %dx%d, default options, CPU; "
                + "each unit's input recomputed from the images in both; %d runs each, alternating order%n%n", images, input, input, reps);
        System.out.println("| unit | N | H map | patch rows + SYRK s | shifted products s | speed-up per run |");
        System.out.println("|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private static double rows(UnitData data) {
        long t0 = System.nanoTime();
        UnitStatistics.gather(data);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double shifted(UnitData data, int channels) {
        long t0 = System.nanoTime();
        try (PatchGram p = new PatchGram(channels)) {
            UnitStatistics.gather(data, p);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String seconds(double[] v) {
        return String.join(", ", Arrays.stream(v).mapToObj(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
    }

    private static String ratios(double[] a, double[] b) {
        String[] r = new String[a.length];
        for (int i = 0; i < a.length; i++) r[i] = String.format(Locale.ROOT, "%.2fx", a[i] / b[i]);
        return String.join(", ", r);
    }
}
