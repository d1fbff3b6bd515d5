package io.ispasp.job;

import java.util.List;

import io.ispasp.core.ConvPruneReport;
import io.ispasp.core.Method;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.PruneReport;
import io.ispasp.baseline.ConvBaselines;
import io.ispasp.data.ImageDataset;
import io.ispasp.model.conv.Complexity;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.ConvSpec;
import io.ispasp.model.conv.Layout;
import io.ispasp.prune.conv.Calibration;
import io.ispasp.prune.conv.ConvIspaspSelector;
import io.ispasp.prune.conv.ConvPruner;
import io.ispasp.prune.conv.ConvSelector;
import io.ispasp.prune.conv.FlopsTarget;
import io.ispasp.runtime.TorchRuntime;
import io.ispasp.train.ConvEvaluator;
import io.ispasp.train.ConvTrainConfig;
import io.ispasp.train.ConvTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pruning run on a conv net: calibration images from the start of the training split, a layout (given, or
 * chosen for a FLOPs target), every unit of it pruned by the chosen method from input to output, optionally a
 * fine-tune after each block (the authors' option) and/or at the end, and test accuracy at each stage.
 */
public final class ConvPruneJob {
    private static final Logger LOG = LoggerFactory.getLogger(ConvPruneJob.class);

    private ConvPruneJob() {}

    /**
     * What to prune and how to fine-tune.
     *
     * @param layout         the layout, or null to choose one for {@code flopsTarget}
     * @param flopsTarget    FLOPs of the pruned net over the dense one, used when layout is null
     * @param blockFinetune  fine-tune config run after each pruned block, or null
     * @param finetune       fine-tune config run once at the end, or null
     */
    public record Plan(Layout layout, Double flopsTarget, ConvTrainConfig blockFinetune, ConvTrainConfig finetune) {
        public Plan {
            if (layout == null && flopsTarget == null) throw new IllegalArgumentException("give a layout or a FLOPs target");
        }
    }

    public record Result(ConvNet model, ConvPruneReport report) {}

    public static ConvSelector selector(Method method) {
        return switch (method) {
            case ISPASP -> new ConvIspaspSelector();
            case GFS -> ConvBaselines.gfs();
            case MAGNITUDE -> ConvBaselines.magnitude();
            case ACTIVATION -> ConvBaselines.activation();
            case RANDOM -> ConvBaselines.random();
        };
    }

    /**
     * Prunes {@code dense} (left untouched) with calibration = the first {@code options.calibration()} images of
     * {@code train}; {@code test} may be null (no accuracy), {@code denseAccuracy} may be given to skip measuring it.
     */
    public static Result run(ConvNet dense, ImageDataset train, ImageDataset test, Double denseAccuracy, Plan plan,
                             PruneOptions options) {
        if (train.numClasses() != dense.spec().classes()) {
            throw new IllegalArgumentException("model has " + dense.spec().classes() + " classes, data " + train.numClasses());
        }
        ImageCalibration calib = new ImageCalibration(train.head(Math.min(options.calibration(), train.size())));
        return run(dense, calib, train.height(), train, test, denseAccuracy, plan, options, JobProgress.NONE);
    }

    /**
     * Prunes {@code dense} (left untouched) on {@code calib}, images of side {@code input}. {@code train} is
     * needed only by a plan that fine-tunes; {@code progress} is called after each pruned unit (after its
     * per-block fine-tune, if any).
     */
    public static Result run(ConvNet dense, Calibration calib, int input, ImageDataset train, ImageDataset test,
                             Double denseAccuracy, Plan plan, PruneOptions options, JobProgress progress) {
        TorchRuntime.init();
        if ((plan.blockFinetune() != null || plan.finetune() != null) && train == null) {
            throw new IllegalArgumentException("fine-tuning needs a labelled training set");
        }
        long t0 = System.nanoTime();
        Layout layout = plan.layout() != null ? plan.layout()
                : FlopsTarget.choose(dense, calib, options, plan.flopsTarget(), input);
        double search = (System.nanoTime() - t0) / 1e9;
        double[] finetuneSeconds = {0};
        int total = layout.prunedUnits().length;
        int[] done = {0};
        ConvPruner.AfterUnit after = (u, r, net) -> {
            if (plan.blockFinetune() != null) {
                long f0 = System.nanoTime();
                LOG.info("fine-tuning after {} ({} epoch(s))", r.name(), plan.blockFinetune().epochs());
                new ConvTrainer(plan.blockFinetune()).train(net, train);
                finetuneSeconds[0] += (System.nanoTime() - f0) / 1e9;
            }
            progress.unitDone(++done[0], total, r);
        };
        long p0 = System.nanoTime();
        ConvPruner.Outcome out = ConvPruner.prune(dense, layout, calib, options, selector(options.method()), after);
        double prune = (System.nanoTime() - p0) / 1e9 - finetuneSeconds[0];
        ConvNet model = out.model();
        Double before = null, afterPrune = null, afterFinetune = null;
        if (test != null) {
            before = denseAccuracy != null ? denseAccuracy : ConvEvaluator.accuracy(dense, test, 256);
            afterPrune = ConvEvaluator.accuracy(model, test, 256);
        }
        if (plan.finetune() != null) {
            long f0 = System.nanoTime();
            new ConvTrainer(plan.finetune()).train(model, train);
            finetuneSeconds[0] += (System.nanoTime() - f0) / 1e9;
            if (test != null) afterFinetune = ConvEvaluator.accuracy(model, test, 256);
        }
        List<PruneReport.UnitReport> units = out.units();
        ConvSpec spec = dense.spec();
        Complexity c0 = Complexity.of(spec, input), c1 = Complexity.of(model.spec(), input);
        ConvPruneReport report = new ConvPruneReport(
                spec.arch().cliName() + (spec.cifar() ? "-cifar" : "") + " x" + spec.width(), input,
                options.method().cliName(), layout.ratios(), plan.layout() == null ? plan.flopsTarget() : null,
                MlpPruneJob.device(options), options.score().cliName(), options.iterations(), calib.size(), units,
                new PruneReport.Counts(c0.params(), c1.params()), new PruneReport.Counts(c0.flops(), c1.flops()),
                new ConvPruneReport.Accuracy(before, afterPrune, afterFinetune),
                new ConvPruneReport.Seconds(units.stream().mapToDouble(PruneReport.UnitReport::dataSeconds).sum(),
                        units.stream().mapToDouble(PruneReport.UnitReport::iterationSeconds).sum(), prune, search,
                        finetuneSeconds[0]));
        return new Result(model, report);
    }
}
