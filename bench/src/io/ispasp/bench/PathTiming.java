package io.ispasp.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Variant;
import io.ispasp.core.Score;
import io.ispasp.baseline.GfsSelector;
import io.ispasp.io.AtomicFiles;
import io.ispasp.job.DataCalibration;
import io.ispasp.nn.Network;
import io.ispasp.prune.Calibration;
import io.ispasp.prune.IspaspSelector;
import io.ispasp.prune.Layout;
import io.ispasp.prune.Selection;
import io.ispasp.prune.Selector;
import io.ispasp.prune.UnitData;
import io.ispasp.runtime.TorchRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pruning time side by side in one run: i-SpaSP's statistics path, direct path and auto on the units of two MNIST
 * MLPs (T = 20 without early stop, as the authors run it; 10k calibration rows), then GFS with K = 50 and exact
 * GFS (K = N, extrapolated from timed steps) on the same units at ratio 0.1. Writes bench/results/path-timing.md.
 */
public final class PathTiming {
    private static final Logger LOG = LoggerFactory.getLogger(PathTiming.class);
    private static final int CALIBRATION = 10_000;
    private static final double RATIO = 0.1;
    private static final int EXACT_GFS_STEPS = 4;

    private PathTiming() {}

    public static void main(String[] args) throws Exception {
        TorchRuntime.init();
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        BenchData data = BenchData.load();
        try (Network deep = BenchModels.trained(new int[] {784, 1024, 1024, 10}, data.train, data.test, BenchData.runsDir());
             Network shallow = BenchModels.trained(new int[] {784, 1024, 10}, data.train, data.test, BenchData.runsDir())) {
            run(runs, deep, shallow, DataCalibration.of(data.train, CALIBRATION, true));
        }
    }

    private static void run(int runs, Network deep, Network shallow, Calibration calib) throws Exception {

        StringBuilder md = new StringBuilder();
        md.append("# Pruning time: statistics vs direct path vs GFS\n\n");
        md.append("Command: `./ispasp bench paths` (= `java ... io.ispasp.bench.PathTiming ").append(runs).append("`)\n\n");
        md.append("Machine: ").append(Machine.describe()).append(". Shared 2-core VM: expect +-30% noise; every ratio below is\n")
          .append("measured side by side in this one run. i-SpaSP times are the median of ").append(runs)
          .append(" runs after one warm-up run each, the paths of a unit timed in turn (so drift hits all alike); GFS one run. T = 20 iterations without early stop (the authors run all T); ")
          .append(CALIBRATION).append(" calibration rows; kept ratio ").append(RATIO).append(".\n\n");

        md.append("## i-SpaSP: statistics vs direct vs auto (seconds per unit, data pass + iterations)\n\n");
        md.append("The paper's loop (mass threshold, no refit, last iterate) with each score: what differs between the paths.\n\n");
        md.append("| net, unit | score | statistics | direct | auto (chose) | direct / statistics | auto / faster | auto chose the faster | same support |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        List<double[]> autoRatios = new ArrayList<>();
        Object[][] units = {{deep, 0, label("784-1024-1024-10", deep, 0)},
                            {deep, 1, label("784-1024-1024-10", deep, 1)},
                            {shallow, 0, label("784-1024-10", shallow, 0)}};
        for (Score score : new Score[] {Score.SIGNED_SUM, Score.GROUP_NORM}) {
            for (Object[] u : units) {
                Network model = (Network) u[0];
                int unit = (Integer) u[1];
                PruneOptions base = PruneOptions.builder().variant(Variant.PAPER).ratio(RATIO).score(score).iterations(20).earlyStop(false)
                        .calibration(CALIBRATION).build();
                List<Timer.Timed<Selection>> t = Timer.interleaved(runs, List.of(
                        () -> select(model, unit, calib, base.toBuilder().path(PathChoice.STATISTICS).build()),
                        () -> select(model, unit, calib, base.toBuilder().path(PathChoice.DIRECT).build()),
                        () -> select(model, unit, calib, base.toBuilder().path(PathChoice.AUTO).build())));
                Timer.Timed<Selection> st = t.get(0), di = t.get(1), au = t.get(2);
                boolean same = Arrays.equals(st.value().kept(), di.value().kept()) && Arrays.equals(st.value().kept(), au.value().kept());
                double faster = Math.min(st.seconds(), di.seconds());
                autoRatios.add(new double[] {au.seconds() / faster});
                String fasterPath = st.seconds() <= di.seconds() ? "statistics" : "direct";
                md.append(String.format("| %s | %s | %.3f | %.3f | %.3f (%s) | %.1fx | %.2f | %s | %s |%n", u[2], score.cliName(),
                        st.seconds(), di.seconds(), au.seconds(), au.value().path(), di.seconds() / st.seconds(),
                        au.seconds() / faster, au.value().path().equals(fasterPath) ? "yes" : "no", same ? "yes" : "NO"));
                LOG.info("{} {}: statistics {} s, direct {} s, auto {} s ({})", u[2], score, st.seconds(), di.seconds(), au.seconds(), au.value().path());
            }
        }

        md.append("\n## What the default variant's refit, least-squares cut and best iterate cost\n\n");
        md.append("Auto path, the unit's default score, T = 20 without early stop. data: the pass over the calibration data (H,\n")
          .append("the statistics); iterations: the loop, the least-squares cuts, the fit of every iterate and the final refit.\n\n");
        md.append("| net, unit | paper: data s | paper: iterations s | best: data s | best: iterations s | best / paper (total) |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (Object[] u : units) {
            Network model = (Network) u[0];
            int unit = (Integer) u[1];
            PruneOptions base = PruneOptions.builder().ratio(RATIO).score(Score.GROUP_NORM).iterations(20).earlyStop(false)
                    .calibration(CALIBRATION).build();
            List<Timer.Timed<Selection>> t = Timer.interleaved(runs, List.of(
                    () -> select(model, unit, calib, base.toBuilder().variant(Variant.PAPER).build()),
                    () -> select(model, unit, calib, base)));
            Selection paper = t.get(0).value(), best = t.get(1).value();
            md.append(String.format("| %s | %.3f | %.3f | %.3f | %.3f | %.1fx |%n", u[2], paper.dataSeconds(), paper.iterationSeconds(),
                    best.dataSeconds(), best.iterationSeconds(), t.get(1).seconds() / t.get(0).seconds()));
        }

        md.append("\n## i-SpaSP vs GFS on the same unit (ratio ").append(RATIO).append(")\n\n");
        md.append("| net, unit | i-SpaSP auto, default score group-norm (s) | GFS K=50 (s) | GFS K=50 / i-SpaSP | exact GFS K=N (s, extrapolated) | exact GFS / i-SpaSP |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (Object[] u : new Object[][] {units[0], units[2]}) {
            Network model = (Network) u[0];
            int unit = (Integer) u[1];
            PruneOptions isp = PruneOptions.builder().ratio(RATIO).iterations(20).earlyStop(false).calibration(CALIBRATION).build();
            select(model, unit, calib, isp); // warm-up
            double ispasp = time(model, unit, calib, isp, runs).seconds();
            PruneOptions gfs = PruneOptions.builder().ratio(RATIO).gfsCandidates(50).calibration(CALIBRATION).build();
            LOG.info("GFS K=50 on {} ...", u[2]);
            double gfs50 = time(model, unit, calib, gfs, 1, new GfsSelector()).seconds();
            double exact = exactGfsExtrapolated(model, unit, calib);
            md.append(String.format("| %s | %.3f | %.1f | %.0fx | %.0f | %.0fx |%n", u[2], ispasp, gfs50, gfs50 / ispasp, exact, exact / ispasp));
        }
        md.append("\nExact GFS is extrapolated: ").append(EXACT_GFS_STEPS).append(" exact steps (all remaining candidates) were timed,\n")
          .append("the time per candidate evaluation taken from them, and multiplied by the sum over all s steps of the\n")
          .append("candidates left (N - n). GFS uses its own mini-batches of 128 rows per step (as the authors' code).\n\n");
        md.append("Why GFS is cheap on the two-layer net: every GFS candidate costs one forward of everything after the unit;\n")
          .append("after the hidden layer of 784-1024-10 that is only the 1024 -> 10 output layer (about 10k MACs per row), so\n")
          .append("50 candidates x 102 steps x 128 rows is little work. After unit 0 of 784-1024-1024-10 it is the\n")
          .append("1024 -> 1024 -> 10 rest of the network (about 1.06 M MACs per row), a hundred times more per candidate.\n");
        double worst = autoRatios.stream().mapToDouble(r -> r[0]).max().orElse(Double.NaN);
        md.append(String.format("%nWorst auto / faster-path ratio over the units above: %.2f (where auto chose the same path\n"
                + "as the faster one, the ratio is run-to-run noise of the same computation).%n", worst));
        AtomicFiles.writeString(BenchData.resultsDir().resolve("path-timing.md"), md.toString());
        System.out.print(md);
    }

    /** "NET, unit NAME (B: N -> out)": units are named by their Linear's index in the nn.Sequential. */
    private static String label(String net, Network model, int unit) {
        return net + ", unit " + model.unit(unit).name() + " (B: " + model.unit(unit).groups() + " -> " + model.unit(unit).outputs() + ")";
    }

    /** The unit at the options' kept ratio, as the pruner gives it to a selector (s = max(1, floor(ratio N))). */
    private static UnitData unit(Network model, int unit, Calibration calib, PruneOptions o) {
        int keep = Layout.every(model, o.ratio()).keep(unit, model.unit(unit).groups());
        return new UnitData(model, model, unit, keep, calib, o);
    }

    private static Selection select(Network model, int unit, Calibration calib, PruneOptions o) {
        return new IspaspSelector().select(unit(model, unit, calib, o));
    }

    private static Timer.Timed<Selection> time(Network model, int unit, Calibration calib, PruneOptions o, int runs) {
        return time(model, unit, calib, o, runs, new IspaspSelector());
    }

    private static Timer.Timed<Selection> time(Network model, int unit, Calibration calib, PruneOptions o, int runs,
                                               Selector selector) {
        return Timer.median(runs, () -> selector.select(unit(model, unit, calib, o)));
    }

    /** Times EXACT_GFS_STEPS steps of exact GFS and extrapolates to the s steps of the full selection. */
    private static double exactGfsExtrapolated(Network model, int unit, Calibration calib) {
        int n = model.unit(unit).groups();
        int s = Math.max(1, (int) Math.floor(RATIO * n + 1e-9));
        PruneOptions o = PruneOptions.builder().ratio((EXACT_GFS_STEPS + 0.5) / n).gfsCandidates(0).calibration(CALIBRATION).build();
        double seconds = time(model, unit, calib, o, 1, new GfsSelector()).seconds();
        double timedCandidates = 0, allCandidates = 0;
        for (int step = 0; step < EXACT_GFS_STEPS; step++) timedCandidates += n - step;
        for (int step = 0; step < s; step++) allCandidates += n - step;
        return seconds / timedCandidates * allCandidates;
    }
}
