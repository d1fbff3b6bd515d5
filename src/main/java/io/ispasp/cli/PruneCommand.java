package io.ispasp.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.api.Device;
import io.ispasp.api.Method;
import io.ispasp.api.PathChoice;
import io.ispasp.api.PruneOptions;
import io.ispasp.api.PruneReport;
import io.ispasp.api.Score;
import io.ispasp.api.Target;
import io.ispasp.io.AtomicFiles;
import io.ispasp.io.Json;
import io.ispasp.job.MlpPruneJob;
import io.ispasp.model.Mlp;
import io.ispasp.model.MlpCheckpoint;
import io.ispasp.prune.PruneListener;
import io.ispasp.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ispasp prune}: prunes every hidden layer of a checkpoint; writes the smaller model and a JSON report. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Prune every hidden layer of an MLP checkpoint (input to output) and write the smaller model and a JSON report.")
final class PruneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Dense checkpoint to prune.")
    Path model;

    @Option(names = "--method", defaultValue = "ispasp", description = "ispasp, gfs, magnitude, activation or random. Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--ratio", required = true, description = "Fraction of groups KEPT per hidden layer, in (0, 1]; s = max(1, floor(ratio * N)).")
    double ratio;

    @Option(names = "--iters", defaultValue = "20", description = "i-SpaSP iterations T per layer. Default: ${DEFAULT-VALUE}.")
    int iters;

    @Option(names = "--calib", defaultValue = "2048", description = "Calibration images (the first ones of the training split). Default: ${DEFAULT-VALUE}.")
    int calib;

    @Option(names = "--score", defaultValue = "group-norm",
            description = "i-SpaSP group score: group-norm (L2 norm of dL/dH per group; the most accurate on MNIST, see README), "
                    + "signed-sum (sum of dL/dH, the authors' choice), correlation (sum of H * dL/dH). Default: ${DEFAULT-VALUE}.")
    String score;

    @Option(names = "--path", defaultValue = "auto",
            description = "direct (explicit residual every iteration), statistics (one pass, then N x N algebra) or auto (cost model per layer). Default: ${DEFAULT-VALUE}.")
    String path;

    @Option(names = "--device", defaultValue = "auto",
            description = "Where the statistics pass and the i-SpaSP loop run: cuda (NVIDIA GPU, sm_80+), cpu (C++ kernels) "
                    + "or auto (cuda when usable, else cpu; says once what it picked and why). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--refit", description = "Refit the next layer's kept columns by ridge least squares on the calibration data.")
    boolean refit;

    @Option(names = "--refit-lambda", defaultValue = "1e-3", description = "Ridge strength, relative to the mean diagonal of the kept Gram matrix. Default: ${DEFAULT-VALUE}.")
    double refitLambda;

    @Option(names = "--target", defaultValue = "current",
            description = "current: match the still-dense layer on the pruned prefix's output (the authors' scheme); original: match the original network. Default: ${DEFAULT-VALUE}.")
    String target;

    @Option(names = "--gfs-candidates", defaultValue = "50", description = "GFS candidates per step K (0 = all: exact GFS). Default: ${DEFAULT-VALUE}.")
    int gfsCandidates;

    @Option(names = "--gfs-batch", defaultValue = "128", description = "GFS mini-batch per step. Default: ${DEFAULT-VALUE}.")
    int gfsBatch;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for random pruning and GFS sampling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--no-early-stop", description = "Run all T i-SpaSP iterations even after the support repeats (same result; for timing).")
    boolean noEarlyStop;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the pruned checkpoint.")
    Path out;

    @Option(names = "--report", required = true, paramLabel = "FILE", description = "Where to write the JSON report.")
    Path report;

    @Override
    public Integer call() throws Exception {
        PruneOptions options = options();
        AtomicFiles.checkWritable(out, "--out");
        AtomicFiles.checkWritable(report, "--report");
        TorchRuntime.init();
        Mlp dense = MlpCheckpoint.load(model);
        DataOptions.Splits splits = data.load();
        MlpPruneJob.Result result = MlpPruneJob.run(dense, splits.train(), splits.test(), options, new PruneListener() {
            @Override
            public void message(String text) {
                Progress.info(text);
            }
        });
        MlpCheckpoint.save(result.model(), out);
        Json.write(report, result.report());
        spec.commandLine().getOut().println(Json.toJson(summary(result.report())));
        return 0;
    }

    PruneOptions options() {
        return PruneOptions.builder().method(Method.parse(method)).ratio(ratio).iterations(iters).calibration(calib)
                .score(Score.parse(score)).path(PathChoice.parse(path)).refit(refit).refitLambda(refitLambda)
                .target(Target.parse(target)).gfsCandidates(gfsCandidates).gfsBatch(gfsBatch).seed(seed)
                .earlyStop(!noEarlyStop).device(Device.parse(device)).build();
    }

    private Map<String, Object> summary(PruneReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("out", out.toString());
        m.put("report", report.toString());
        m.put("method", r.method());
        m.put("ratio", r.ratio());
        m.put("kept", r.units().stream().map(u -> u.kept() + "/" + u.groups()).toList());
        m.put("params", r.params());
        m.put("flops", r.flops());
        m.put("accuracy", r.accuracy());
        m.put("seconds", r.seconds());
        return m;
    }
}
