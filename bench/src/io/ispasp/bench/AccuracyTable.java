package io.ispasp.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.PruneReport;
import io.ispasp.core.Score;
import io.ispasp.core.Target;
import io.ispasp.core.Threshold;
import io.ispasp.io.AtomicFiles;
import io.ispasp.io.Json;
import io.ispasp.job.DataCalibration;
import io.ispasp.job.JobProgress;
import io.ispasp.job.PruneJob;
import io.ispasp.nn.Network;
import io.ispasp.prune.Layout;
import io.ispasp.runtime.TorchRuntime;
import io.ispasp.train.NetworkEvaluator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MNIST test accuracy right after pruning (no fine-tuning) for every method at kept ratios 0.05 to 0.5, on the
 * two-layer 784-1024-10 and three-layer 784-1024-1024-10 nets. Writes bench/results/mnist-accuracy.md and .json.
 */
public final class AccuracyTable {
    private static final Logger LOG = LoggerFactory.getLogger(AccuracyTable.class);
    private static final double[] RATIOS = {0.05, 0.1, 0.2, 0.3, 0.5};

    private AccuracyTable() {}

    /** A row of the table: a method with its settings. */
    private record Variant(String label, PruneOptions.Builder options) {}

    /** i-SpaSP's default (best) settings with {@code score}. */
    private static PruneOptions.Builder ispasp(Score score) {
        return PruneOptions.builder().method(Method.ISPASP).variant(io.ispasp.core.Variant.BEST).score(score);
    }

    public static void main(String[] args) throws Exception {
        TorchRuntime.init();
        BenchData data = BenchData.load();
        List<Variant> variants = List.of(
                new Variant("i-SpaSP default (best: lsq + refit + bias + best iterate + original target, group-norm)", ispasp(Score.GROUP_NORM)),
                new Variant("i-SpaSP best, correlation", ispasp(Score.CORRELATION)),
                new Variant("i-SpaSP best, signed-sum", ispasp(Score.SIGNED_SUM)),
                new Variant("i-SpaSP --variant paper", PruneOptions.builder().method(Method.ISPASP).variant(io.ispasp.core.Variant.PAPER)),
                new Variant("ablation: mass threshold (else best)", ispasp(Score.GROUP_NORM).threshold(Threshold.MASS)),
                new Variant("ablation: no bias compensation", ispasp(Score.GROUP_NORM).biasCompensation(false)),
                new Variant("ablation: last iterate", ispasp(Score.GROUP_NORM).bestIterate(false)),
                new Variant("ablation: current target", ispasp(Score.GROUP_NORM).target(Target.CURRENT)),
                new Variant("ablation: no refit (bias compensation only)", ispasp(Score.GROUP_NORM).refit(false)),
                new Variant("ablation: no refit, no bias (lsq + best only)", ispasp(Score.GROUP_NORM).refit(false).biasCompensation(false)),
                new Variant("before: group-norm, mass, refit, last (old --refit)", ispasp(Score.GROUP_NORM).threshold(Threshold.MASS)
                        .biasCompensation(false).bestIterate(false).target(Target.CURRENT)),
                new Variant("before: group-norm, mass, no refit (old default)", ispasp(Score.GROUP_NORM).threshold(Threshold.MASS)
                        .refit(false).biasCompensation(false).bestIterate(false).target(Target.CURRENT)),
                new Variant("GFS (K=50)", PruneOptions.builder().method(Method.GFS).gfsCandidates(50)),
                new Variant("magnitude", PruneOptions.builder().method(Method.MAGNITUDE)),
                new Variant("activation mass", PruneOptions.builder().method(Method.ACTIVATION)),
                new Variant("random", PruneOptions.builder().method(Method.RANDOM)));
        int[][] nets = {{784, 1024, 10}, {784, 1024, 1024, 10}};
        StringBuilder md = new StringBuilder("# MNIST: test accuracy right after pruning (no fine-tuning)\n\n");
        md.append("Command: `./ispasp bench accuracy` (= `java ... io.ispasp.bench.AccuracyTable`)\n\n");
        md.append("Machine: ").append(Machine.describe()).append(".\n\n");
        md.append("Dense nets trained 3 epochs (SGD momentum 0.9, lr 0.05 cosine, batch 128, seed 0). Calibration: the first 2048\n")
          .append("training images; i-SpaSP T = 20 (stops at a fixed point), path auto; every hidden layer pruned at the same\n")
          .append("kept ratio, input to output; accuracy on the 10k test images.\n\n");
        List<Object> all = new ArrayList<>();
        for (int[] sizes : nets) {
            try (Network dense = BenchModels.trained(sizes, data.train, data.test, BenchData.runsDir())) {
                double denseAcc = NetworkEvaluator.accuracy(dense, data.test, 1000);
                String net = java.util.Arrays.toString(sizes).replace(", ", "-").replace("[", "").replace("]", "");
                Map<String, double[]> acc = new LinkedHashMap<>(), secs = new LinkedHashMap<>(), agree = new LinkedHashMap<>();
                for (Variant v : variants) {
                    double[] a = new double[RATIOS.length], s = new double[RATIOS.length], g = new double[RATIOS.length];
                    for (int i = 0; i < RATIOS.length; i++) {
                        PruneOptions o = v.options().ratio(RATIOS[i]).build();
                        PruneJob.Plan plan = new PruneJob.Plan(Layout.every(dense, RATIOS[i]), null, RATIOS[i], 0, null, null,
                                data.test, true, denseAcc);
                        PruneJob.Result r = PruneJob.run(dense, DataCalibration.of(data.train, o.calibration(), true), plan, o, JobProgress.NONE);
                        r.model().close();
                        a[i] = r.report().accuracy().after();
                        s[i] = r.report().seconds().total();
                        g[i] = r.report().fidelity().agreement();
                        all.add(Map.of("net", net, "variant", v.label(), "report", r.report()));
                        LOG.info("{} {} ratio {}: accuracy {} ({} s)", net, v.label(), RATIOS[i], String.format("%.4f", a[i]), String.format("%.2f", s[i]));
                    }
                    acc.put(v.label(), a);
                    secs.put(v.label(), s);
                    agree.put(v.label(), g);
                }
                md.append("## ").append(net).append(" (dense test accuracy ").append(String.format("%.2f%%", 100 * denseAcc)).append(")\n\n");
                table(md, "accuracy %", acc, 100, "%.2f");
                md.append("\nTop-1 agreement with the dense net on the test images (the report's `fidelity.agreement`):\n\n");
                table(md, "agreement %", agree, 100, "%.2f");
                md.append("\nPruning seconds (all hidden layers, data pass + selection):\n\n");
                table(md, "seconds", secs, 1, "%.2f");
                md.append('\n');
            }
        }
        AtomicFiles.writeString(BenchData.resultsDir().resolve("mnist-accuracy.md"), md.toString());
        Json.write(BenchData.resultsDir().resolve("mnist-accuracy.json"), all);
        System.out.print(md);
    }

    private static void table(StringBuilder md, String what, Map<String, double[]> rows, double scale, String fmt) {
        md.append("| method (").append(what).append(") |");
        for (double r : RATIOS) md.append(" keep ").append(r).append(" |");
        md.append("\n|---|");
        for (int i = 0; i < RATIOS.length; i++) md.append("---|");
        md.append('\n');
        for (Map.Entry<String, double[]> e : rows.entrySet()) {
            md.append("| ").append(e.getKey()).append(" |");
            for (double v : e.getValue()) md.append(' ').append(String.format(fmt, v * scale)).append(" |");
            md.append('\n');
        }
    }
}
