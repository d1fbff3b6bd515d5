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
import io.ispasp.baseline.ConvBaselines;
import io.ispasp.data.Cifar10;
import io.ispasp.data.ImageDataset;
import io.ispasp.io.AtomicFiles;
import io.ispasp.job.ImageCalibration;
import io.ispasp.model.conv.Arch;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.model.conv.Layout;
import io.ispasp.prune.Selection;
import io.ispasp.prune.conv.ConvIspaspSelector;
import io.ispasp.prune.conv.ConvPruner;
import io.ispasp.prune.conv.ConvUnit;
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
        ConvSpec spec = ConvSpec.dense(Arch.RESNET34, false, 10, 1.0);
        PruneOptions base = PruneOptions.builder().method(Method.ISPASP).score(Score.SIGNED_SUM).iterations(ITERATIONS)
                .earlyStop(false).calibration(CALIBRATION).batchSize(32).gfsBatch(128).device(Device.CPU).build();
        StringBuilder md = new StringBuilder("# Conv-net pruning time: statistics vs direct path vs GFS, ResNet34\n\n");
        md.append("Command: `./ispasp bench conv-timing` (= `io.ispasp.bench.ConvTiming ").append(gfsTimed).append("`)\n\n");
        md.append("Machine: ").append(Machine.describe()).append(".\n\n");
        md.append("torchvision-shaped ResNet34 (ImageNet form) with random weights (the time does not depend on them), ")
          .append(CALIBRATION).append(" CIFAR-10 training images resized bilinearly, i-SpaSP signed-sum, T = ")
          .append(ITERATIONS).append(" without early stop, keep 0.4, 2 libtorch threads, C++ kernels. Times include the ")
          .append("data pass (prefix forward, H, and the Gram or the cached H and target).\n\n");
        try (ConvNet net = ConvNet.random(spec, 0)) {
            ImageCalibration calib224 = new ImageCalibration(images.resized(224));
            md.append("## One block at 224x224\n\n| block | N | positions | statistics s | direct s | direct / statistics | same support "
                    + "| GFS K=50, s steps (extrapolated) s | GFS / i-SpaSP statistics |\n|---|---|---|---|---|---|---|---|---|\n");
            for (String block : new String[] {"layer1.1", "layer3.1"}) {
                int u = spec.unitIndex(block);
                int keep = (int) Math.floor(0.4 * spec.inner(u));
                Selection stats = timed(net, u, keep, calib224, base.toBuilder().path(PathChoice.STATISTICS).build());
                Selection direct = timed(net, u, keep, calib224, base.toBuilder().path(PathChoice.DIRECT).build());
                double ts = stats.dataSeconds() + stats.iterationSeconds(), td = direct.dataSeconds() + direct.iterationSeconds();
                // one GFS step with gfsTimed candidates, scaled to K = 50 candidates and s steps
                PruneOptions g = base.toBuilder().method(Method.GFS).gfsCandidates(gfsTimed).build();
                long t0 = System.nanoTime();
                ConvBaselines.gfs().select(new ConvUnit(net, u, 1, calib224, g));
                double step = (System.nanoTime() - t0) / 1e9;
                double gfs = step * (50.0 / gfsTimed) * keep;
                long positions = new ConvUnit(net, u, keep, calib224, base).positions();
                md.append(String.format("| %s | %d | %d | %.1f | %.1f | %.1fx | %s | %.0f | %.0fx |%n", block, spec.inner(u), positions,
                        ts, td, td / ts, Arrays.equals(stats.kept(), direct.kept()) ? "yes" : "no", gfs, gfs / ts));
                LOG.info("{}: statistics {} s, direct {} s, GFS step ({} candidates) {} s", block, ts, td, gfsTimed, step);
            }
            md.append("\nGFS: one step with ").append(gfsTimed).append(" candidates (mini-batch 128, each candidate a forward of the rest ")
              .append("of the net) was timed, then scaled by 50 / ").append(gfsTimed).append(" and by s = keep steps.\n\n");
            md.append("## Whole reference layout (layer1.1, layer2.1-2, layer3.1-4), i-SpaSP auto path, no fine-tune\n\n")
              .append("| input | seconds | per block (path, seconds) |\n|---|---|---|\n");
            for (int size : new int[] {64, 224}) {
                ImageCalibration calib = new ImageCalibration(images.resized(size));
                long t0 = System.nanoTime();
                ConvPruner.Outcome out = ConvPruner.prune(net, Layout.reference(spec), calib,
                        base.toBuilder().path(PathChoice.AUTO).build(), new ConvIspaspSelector(), ConvPruner.AfterUnit.NONE);
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

    private static Selection timed(ConvNet net, int unit, int keep, ImageCalibration calib, PruneOptions o) {
        return new ConvIspaspSelector().select(new ConvUnit(net, unit, keep, calib, o));
    }
}
