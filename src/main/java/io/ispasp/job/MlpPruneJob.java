package io.ispasp.job;

import io.ispasp.core.PruneOptions;
import io.ispasp.core.PruneReport;
import io.ispasp.data.Dataset;
import io.ispasp.kernels.Backends;
import io.ispasp.model.Mlp;
import io.ispasp.prune.MlpPruner;
import io.ispasp.prune.PruneListener;
import io.ispasp.runtime.TorchRuntime;
import io.ispasp.train.Evaluator;

/**
 * One pruning run on an MLP, as the CLI and embedding code call it: takes the calibration rows from the start of
 * the training split, prunes every hidden layer with the chosen method, measures test accuracy before and after
 * (when a test set is given), and returns the smaller model with its report.
 */
public final class MlpPruneJob {
    private MlpPruneJob() {}

    /** The pruned model and its report. */
    public record Result(Mlp model, PruneReport report) {}

    public static Result run(Mlp dense, Dataset train, Dataset test, PruneOptions options, PruneListener listener) {
        return run(dense, train, test, null, options, listener);
    }

    /**
     * As {@link #run(Mlp, Dataset, Dataset, PruneOptions, PruneListener)}, with the dense model's test accuracy
     * already known (callers that prune one model many times measure it once), or null to measure it here.
     */
    public static Result run(Mlp dense, Dataset train, Dataset test, Double denseAccuracy, PruneOptions options,
                             PruneListener listener) {
        TorchRuntime.init();
        if (train.featureSize() != dense.inputSize()) {
            throw new IllegalArgumentException("model expects " + dense.inputSize() + " input features, data has " + train.featureSize());
        }
        if (test != null && test.featureSize() != dense.inputSize()) {
            throw new IllegalArgumentException("model expects " + dense.inputSize() + " input features, test data has " + test.featureSize());
        }
        Dataset calibration = train.head(options.calibration());
        long t0 = System.nanoTime();
        MlpPruner.Outcome outcome = MlpPruner.prune(dense, calibration, options, Selectors.of(options.method()), listener);
        double total = (System.nanoTime() - t0) / 1e9;
        double data = outcome.units().stream().mapToDouble(PruneReport.UnitReport::dataSeconds).sum();
        double iters = outcome.units().stream().mapToDouble(PruneReport.UnitReport::iterationSeconds).sum();
        Double before = null, after = null;
        if (test != null) {
            before = denseAccuracy != null ? denseAccuracy : Evaluator.accuracy(dense, test, 1000);
            after = Evaluator.accuracy(outcome.model(), test, 1000);
        }
        PruneReport report = new PruneReport(options.method().cliName(), options.ratio(), device(options),
                options.score().cliName(), options.target().cliName(), options.refit(), options.iterations(),
                calibration.size(), outcome.units(),
                new PruneReport.Counts(dense.params(), outcome.model().params()),
                new PruneReport.Counts(dense.flops(), outcome.model().flops()),
                new PruneReport.Accuracy(before, after),
                new PruneReport.Seconds(data, iters, total));
        return new Result(outcome.model(), report);
    }

    /** The backends in words, for reports: where the i-SpaSP kernels ran, and libtorch's threads. */
    public static String device(PruneOptions options) {
        Backends.Choice c = Backends.select(options.device());
        return c.kernels().name() + " kernels (" + c.reason() + "); libtorch cpu, " + TorchRuntime.threads() + " threads";
    }
}
