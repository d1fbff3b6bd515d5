package io.ispasp.bench;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

import io.ispasp.core.Device;
import io.ispasp.core.Method;
import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.PruneReport;
import io.ispasp.core.Score;
import io.ispasp.baseline.Baselines;
import io.ispasp.data.Cifar10;
import io.ispasp.data.ImageDataset;
import io.ispasp.io.AtomicFiles;
import io.ispasp.job.DataCalibration;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.prune.Calibration;
import io.ispasp.prune.IspaspSelector;
import io.ispasp.prune.Layout;
import io.ispasp.prune.Pruner;
import io.ispasp.prune.Selection;
import io.ispasp.prune.UnitData;
import io.ispasp.runtime.TorchRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conv-net pruning time (issue 4's list), side by side in one run, on torchvision-shaped ResNet34 (ImageNet form,
 * 1000 classes, random weights: time does not depend on the values) with 256 CIFAR-10 training images resized:
 * <ol>
 *   <li>one block (layer1.1 and layer3.1) at 224x224: i-SpaSP statistics path vs direct path (signed-sum, T = 20
 *       without early stop, keep 0.4), and one GFS step (K candidates, mini-batch 128) timed and extrapolated to
 *       K = 50 and s steps;</li>
 *   <li>the whole reference layout (7 blocks) at 64x64 and at 224x224, i-SpaSP with the auto path, no fine-tune.</li>
 * </ol>
 * Writes bench/results/conv-timing.md. Argument: how many GFS candidates to time in the one step (default 5).
 */
public final class ConvTiming {
    private static final Logger LOG = LoggerFactory.getLogger(ConvTiming.class);
    private static final int CALIBRATION = 256;
    private static final int ITERATIONS = 20;

    private ConvTiming() {}

    public static void main(String[] args) throws Exception {
        TorchRuntime.init();
        int gfsTimed = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        boolean real = Cifar10.present(Cifar10.defaultDir(), true);
        if (!real) throw new IllegalStateException("CIFAR-10 not found in " + Cifar10.defaultDir() + ": run datasets/fetch-cifar10.sh");
        ImageDataset images = Cifar10.load(Cifar10.defaultDir(), true, CALIBRATION);
        Architecture arch = Architectures.image("resnet34", false, 1.0, 10);
        PruneOptions base = PruneOptions.builder().method(Method.ISPASP).score(Score.SIGNED_SUM).iterations(ITERATIONS)
                .earlyStop(false).calibration(CALIBRATION).batchSize(32).gfsBatch(128).device(Device.CPU).build();
        StringBuilder md = new StringBuilder("# Conv-net pruning time: statistics vs direct path vs GFS, ResNet34\n\n");
        md.append("Command: `./ispasp bench conv-timing` (= `io.ispasp.bench.ConvTiming ").append(gfsTimed).append("`)\n\n");
        md.append("Machine: ").append(Machine.describe()).append(".\n\n");
        md.append("torchvision-shaped ResNet34 (ImageNet form) with random weights (the time does not depend on them), ")
          .append(CALIBRATION).append(" CIFAR-10 training images resized bilinearly, i-SpaSP signed-sum, T = ")
          .append(ITERATIONS).append(" without early stop, keep 0.4, 2 libtorch threads, C++ kernels. Times include the ")
          .append("data pass (prefix forward, H, and the Gram or the cached H and target).\n\n");
        try (Network net = Network.random(arch, 0)) {
            Calibration calib224 = DataCalibration.of(images.resized(224), true);
            md.append("## One block at 224x224\n\n| block | N | positions | statistics s | direct s | direct / statistics | same support "
                    + "| GFS K=50, s steps (extrapolated) s | GFS / i-SpaSP statistics |\n|---|---|---|---|---|---|---|---|---|\n");
            for (String block : new String[] {"layer1.1", "layer3.1"}) {
                int u = net.unit(block).index();
                int n = net.unit(u).groups();
                int keep = (int) Math.floor(0.4 * n);
                Selection stats = timed(net, u, keep, calib224, base.toBuilder().path(PathChoice.STATISTICS).build());
                Selection direct = timed(net, u, keep, calib224, base.toBuilder().path(PathChoice.DIRECT).build());
                double ts = stats.dataSeconds() + stats.iterationSeconds(), td = direct.dataSeconds() + direct.iterationSeconds();
                // one GFS step with gfsTimed candidates, scaled to K = 50 candidates and s steps
                PruneOptions g = base.toBuilder().method(Method.GFS).gfsCandidates(gfsTimed).build();
                long t0 = System.nanoTime();
                Baselines.gfs().select(new UnitData(net, net, u, 1, calib224, g));
                double step = (System.nanoTime() - t0) / 1e9;
                double gfs = step * (50.0 / gfsTimed) * keep;
                long positions = new UnitData(net, net, u, keep, calib224, base).positions();
                md.append(String.format("| %s | %d | %d | %.1f | %.1f | %.1fx | %s | %.0f | %.0fx |%n", block, n, positions,
                        ts, td, td / ts, Arrays.equals(stats.kept(), direct.kept()) ? "yes" : "no", gfs, gfs / ts));
                LOG.info("{}: statistics {} s, direct {} s, GFS step ({} candidates) {} s", block, ts, td, gfsTimed, step);
            }
            md.append("\nGFS: one step with ").append(gfsTimed).append(" candidates (mini-batch 128, each candidate a forward of the rest ")
              .append("of the net) was timed, then scaled by 50 / ").append(gfsTimed).append(" and by s = keep steps.\n\n");
            md.append("## Whole reference layout (layer1.1, layer2.1-2, layer3.1-4), i-SpaSP auto path, no fine-tune\n\n")
              .append("| input | seconds | per block (path, seconds) |\n|---|---|---|\n");
            for (int size : new int[] {64, 224}) {
                Calibration calib = DataCalibration.of(images.resized(size), true);
                long t0 = System.nanoTime();
                Pruner.Outcome out = Pruner.prune(net, Layout.reference(net), calib,
                        base.toBuilder().path(PathChoice.AUTO).build(), new IspaspSelector(), Pruner.AfterUnit.NONE);
                double total = (System.nanoTime() - t0) / 1e9;
                out.model().close();
                StringBuilder per = new StringBuilder();
                for (PruneReport.UnitReport r : out.units()) {
                    per.append(String.format("%s %s %.1f; ", r.name(), r.path(), r.dataSeconds() + r.iterationSeconds()));
                }
                md.append(String.format("| %dx%d | %.1f | %s |%n", size, size, total, per));
                LOG.info("reference layout at {}: {} s", size, total);
            }
        }
        AtomicFiles.writeString(BenchData.resultsDir().resolve("conv-timing.md"), md.toString());
        System.out.println(md);
    }

    private static Selection timed(Network net, int unit, int keep, Calibration calib, PruneOptions o) {
        return new IspaspSelector().select(new UnitData(net, net, unit, keep, calib, o));
    }
}
