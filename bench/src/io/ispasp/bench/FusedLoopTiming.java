package io.ispasp.bench;

import java.util.Arrays;
import java.util.Locale;

import io.ispasp.core.Device;
import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.core.Variant;
import io.ispasp.job.PruneJob;
import io.ispasp.job.TensorCalibration;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.Unit;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.prune.IspaspSelector;
import io.ispasp.prune.PatchOracle;
import io.ispasp.prune.ScoreOracle;
import io.ispasp.prune.UnitData;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;

/**
 * The authors' loop (T = 20, no early stop) on 3x3 units, side by side in one process: the Java loop over the patch
 * oracle's native evaluations against the whole loop in one native call (C++ kernels), on the same statistics; checks
 * that both return the same support and trace. One unit per ResNet34 stage (ImageNet form, random weights and
 * images), keep = N / 2, best of 3. Usage: {@code FusedLoopTiming [INPUT=112] [IMAGES=256]}.
 */
public final class FusedLoopTiming {
    private FusedLoopTiming() {}

    public static void main(String[] args) {
        TorchRuntime.init();
        int input = args.length > 0 ? Integer.parseInt(args[0]) : 112;
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        Architecture arch = Architectures.image("resnet34", false, 1.0, 1000);
        System.out.printf(Locale.ROOT, "ResNet34 (ImageNet form, random weights), %d random images at %dx%d, the paper variant's loop "
                + "(mass threshold, last iterate), T = 20, CPU kernels, best of 3%n%n", images, input, input);
        System.out.println("| unit | N | keep | score | Java loop s | one native call s | speed-up | same support and trace |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        try (Network net = Network.random(arch, 1); TensorCalibration calib = WholeNetTiming.calibration(images, input)) {
            for (String name : new String[] {"layer1.1", "layer2.1", "layer3.1", "layer4.1"}) {
                Unit u = net.unit(name);
                for (Score score : new Score[] {Score.SIGNED_SUM, Score.CORRELATION}) {
                    PruneOptions o = PruneJob.defaults(net).variant(Variant.PAPER).score(score).iterations(20).earlyStop(false)
                            .device(Device.CPU).build();
                    UnitData data = new UnitData(net, net, u.index(), u.groups() / 2, calib, o);
                    try (PointerScope s = new PointerScope(); ScoreOracle oracle = IspaspSelector.open(data, PathChoice.STATISTICS)) {
                        PatchOracle patches = (PatchOracle) oracle;
                        double java = Double.MAX_VALUE, fused = Double.MAX_VALUE;
                        boolean same = true;
                        for (int rep = 0; rep < 3; rep++) {
                            long t0 = System.nanoTime();
                            IspaspSelector.Loop a = IspaspSelector.run(oracle, data.keep(), 20, false);
                            long t1 = System.nanoTime();
                            IspaspSelector.Loop b = patches.run(data.keep(), 20, false);
                            long t2 = System.nanoTime();
                            java = Math.min(java, (t1 - t0) / 1e9);
                            fused = Math.min(fused, (t2 - t1) / 1e9);
                            same &= Arrays.equals(a.support(), b.support()) && Arrays.equals(a.residuals(), b.residuals());
                        }
                        System.out.printf(Locale.ROOT, "| %s | %d | %d | %s | %.4f | %.4f | %.1fx | %s |%n", name, u.groups(), data.keep(), score,
                                java, fused, java / fused, same ? "yes" : "NO");
                    }
                }
            }
        }
    }
}
