package io.ispasp.job;

import java.util.List;

import io.ispasp.baseline.Baselines;
import io.ispasp.core.Device;
import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.PruneReport;
import io.ispasp.core.Score;
import io.ispasp.data.LabeledData;
import io.ispasp.kernels.Backends;
import io.ispasp.nn.Complexity;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Bert;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.prune.Calibration;
import io.ispasp.prune.FlopsTarget;
import io.ispasp.prune.IspaspSelector;
import io.ispasp.prune.Layout;
import io.ispasp.prune.Pruner;
import io.ispasp.prune.Selector;
import io.ispasp.runtime.ProcessMemory;
import io.ispasp.runtime.TorchRuntime;
import io.ispasp.train.NetworkEvaluator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pruning run on any network, the same for the CLI and the embedding API: a layout (given, or chosen for a
 * FLOPs target), every unit of it pruned by the chosen method from input to output, optionally a fine-tune after
 * each unit (the authors' option) and/or at the end, test accuracy at each stage where a test set is given, and
 * the report.
 */
public final class PruneJob {
    private static final Logger LOG = LoggerFactory.getLogger(PruneJob.class);

    /** Samples per batch of the test-split evaluations. */
    private static final int EVAL_BATCH = 256;

    private PruneJob() {}

    /** Trains a network in place (a fine-tune). */
    @FunctionalInterface
    public interface Tuner {
        void tune(Network net);
    }

    /**
     * What to prune and what to do around it.
     *
     * @param layout        the layout, or null to choose one for {@code flopsTarget}
     * @param flopsTarget   FLOPs of the pruned network over the dense one, used when layout is null
     * @param ratio         the plain ratio every unit is pruned at (for the report), or null
     * @param input         image side FLOPs are counted at (ignored for MLPs)
     * @param blockTune     run after each pruned unit, or null
     * @param finalTune     run once at the end, or null
     * @param test          the test split, or null (no accuracy and no fidelity in the report); with labels outside
     *                      the model's classes ({@code accuracy} false) only the fidelity is measured
     * @param accuracy      whether the test labels are the model's classes (accuracy is reported then)
     * @param denseAccuracy the dense network's accuracy when already known, else null
     */
    public record Plan(Layout layout, Double flopsTarget, Double ratio, int input, Tuner blockTune, Tuner finalTune,
                       LabeledData test, boolean accuracy, Double denseAccuracy) {
        public Plan {
            if (layout == null && flopsTarget == null) throw new IllegalArgumentException("give a layout or a FLOPs target");
        }
    }

    public record Result(Network model, PruneReport report) {}

    /**
     * The options a run on {@code net} starts from: the family's defaults for the calibration size (2048 rows for
     * MLPs, 1280 images for image models, the authors' 5 x 256), the i-SpaSP score (group-norm for MLPs, correlation
     * for image models; chosen by measurement, see README) and the batch size of the data passes. Callers set the rest.
     */
    public static PruneOptions.Builder defaults(Network net) {
        if (net.architecture() instanceof Bert) {
            return PruneOptions.builder().calibration(1000).score(Score.GROUP_NORM).batchSize(64);
        }
        boolean mlp = net.architecture() instanceof Mlp;
        return PruneOptions.builder().calibration(mlp ? 2048 : 1280).score(mlp ? Score.GROUP_NORM : Score.CORRELATION)
                .batchSize(mlp ? 1024 : 64);
    }

    /** The selector of a method. */
    public static Selector selector(Method method) {
        return switch (method) {
            case ISPASP -> new IspaspSelector();
            case GFS -> Baselines.gfs();
            case MAGNITUDE -> Baselines.magnitude();
            case ACTIVATION -> Baselines.activation();
            case RANDOM -> Baselines.random();
            case FLAP -> Baselines.flap();
        };
    }

    /** Prunes {@code dense} (left untouched) on {@code calib}; {@code progress} is told after each pruned unit. */
    public static Result run(Network dense, Calibration calib, Plan plan, PruneOptions options, JobProgress progress) {
        TorchRuntime.init();
        checkDevice(options.device());
        long t0 = System.nanoTime();
        Layout layout = plan.layout() != null ? plan.layout()
                : FlopsTarget.choose(dense, calib, options, plan.flopsTarget(), plan.input());
        double search = (System.nanoTime() - t0) / 1e9;
        double[] tuneSeconds = {0};
        int total = layout.prunedUnits().length;
        int[] done = {0};
        // a hook that only reports keeps the carried inputs valid; block fine-tuning changes the layers before the next unit
        Pruner.AfterUnit after = plan.blockTune() == null ? (Pruner.ReadOnly) (u, r, net) -> progress.unitDone(++done[0], total, r)
                : (u, r, net) -> {
                    long f0 = System.nanoTime();
                    LOG.info("fine-tuning after {}", r.name());
                    plan.blockTune().tune(net);
                    tuneSeconds[0] += (System.nanoTime() - f0) / 1e9;
                    progress.unitDone(++done[0], total, r);
                };
        long p0 = System.nanoTime();
        Pruner.Outcome out = Pruner.prune(dense, layout, calib, options, selector(options.method()), after);
        double prune = (System.nanoTime() - p0) / 1e9 - tuneSeconds[0];
        Network model = out.model();
        try {
            Double before = null, afterPrune = null, afterTune = null;
            PruneReport.Fidelity fidelity = null;
            boolean accuracy = plan.test() != null && plan.accuracy();
            if (plan.test() != null) {   // one pass: both accuracies and the fidelity
                NetworkEvaluator.Fidelity f = NetworkEvaluator.fidelity(dense, model, plan.test(), accuracy, EVAL_BATCH);
                fidelity = new PruneReport.Fidelity(f.samples(), f.agreement(), f.klDivergence());
                if (accuracy) {
                    before = plan.denseAccuracy() != null ? plan.denseAccuracy() : f.denseAccuracy();
                    afterPrune = f.prunedAccuracy();
                }
            }
            if (plan.finalTune() != null) {
                long f0 = System.nanoTime();
                plan.finalTune().tune(model);
                tuneSeconds[0] += (System.nanoTime() - f0) / 1e9;
                if (accuracy) afterTune = NetworkEvaluator.accuracy(model, plan.test(), EVAL_BATCH);
            }
            List<PruneReport.UnitReport> units = out.units();
            Complexity c0 = dense.complexity(plan.input()), c1 = model.complexity(plan.input());
            PruneReport report = new PruneReport(dense.architecture().describe(), dense.architecture().nativeInput() == 0 ? 0 : plan.input(),
                    options.method().cliName(), plan.ratio(), layout.ratios(), plan.layout() == null ? plan.flopsTarget() : null,
                    device(options), options.score().cliName(), options.target().cliName(),
                    options.method() == Method.ISPASP ? options.variant().cliName() : null,
                    options.threshold().cliName(), options.refit(), options.biasCompensation(), options.bestIterate(),
                    options.iterations(), calib.size(), units, new PruneReport.Counts(c0.params(), c1.params()),
                    new PruneReport.Counts(c0.flops(), c1.flops()), new PruneReport.Accuracy(before, afterPrune, afterTune), fidelity,
                    PruneReport.Seconds.of(units, prune, search, tuneSeconds[0]), memory(options, out));
            return new Result(model, report);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static PruneReport.Memory memory(PruneOptions options, Pruner.Outcome out) {
        long rss = ProcessMemory.peakRss();
        return new PruneReport.Memory(options.memory(), out.carriedPeak(), out.spilledPeak(),
                options.spill() == null ? null : options.spill().toString(), rss < 0 ? null : rss);
    }

    /** Refuses, before any work, a device that cannot run ({@code cuda} without a usable GPU), with the reason. */
    public static void checkDevice(Device device) {
        Backends.select(device);
    }

    /** The backends in words, for reports: where the i-SpaSP kernels ran, and libtorch's threads. */
    public static String device(PruneOptions options) {
        Backends.Choice c = Backends.select(options.device());
        return c.kernels().name() + " kernels (" + c.reason() + "); libtorch cpu, " + TorchRuntime.threads() + " threads";
    }
}
