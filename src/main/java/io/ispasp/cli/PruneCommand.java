package io.ispasp.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ispasp.core.Device;
import io.ispasp.core.Method;
import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.PruneReport;
import io.ispasp.core.Score;
import io.ispasp.core.Target;
import io.ispasp.io.AtomicFiles;
import io.ispasp.io.Json;
import io.ispasp.job.ConvPruneJob;
import io.ispasp.job.MlpPruneJob;
import io.ispasp.model.LoadedModel;
import io.ispasp.model.Mlp;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.model.conv.ConvNet;
import io.ispasp.model.conv.Layout;
import io.ispasp.prune.PruneListener;
import io.ispasp.runtime.TorchRuntime;
import io.ispasp.train.ConvTrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ispasp prune}: prunes every hidden layer of a checkpoint; writes the smaller model and a JSON report. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Prune an MLP checkpoint (every hidden layer) or a conv-net checkpoint (the units of a layout: BasicBlock "
                + "inner channels, inverted-residual expanded channels), input to output; write the smaller model and a JSON report.")
final class PruneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model to prune: an engine checkpoint or a TorchScript file (torchvision resnet18/34, mobilenet_v2, nn.Sequential MLP).")
    Path model;

    @Option(names = "--method", defaultValue = "ispasp", description = "ispasp, gfs, magnitude, activation or random. Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--ratio", description = "Fraction of groups KEPT per unit, in (0, 1]; s = max(1, floor(ratio * N)). "
            + "Required for MLPs; for conv nets it prunes every unit at this ratio unless --layout or --flops-target is given.")
    Double ratio;

    @Option(names = "--layout", description = "Conv nets: reference (the authors': ResNets 0.4/0.4/0.4/1.0 on blocks 1..n-2 of "
            + "each stage; MobileNetV2 0.3 on features 6,9,10,12,13), every (all units at --ratio), stages:r1,r2,r3,r4 "
            + "(ResNets, blocks 1..n-2), stages-all:r1,r2,r3,r4, or blocks:layer1.1=0.4,features.6=0.3,...")
    String layout;

    @Option(names = "--flops-target", description = "Conv nets: choose per-unit ratios so the FLOPs are at most this fraction of "
            + "the dense net's (e.g. 0.7), losing the least calibration loss (sensitivity scan + greedy).")
    Double flopsTarget;

    @Option(names = "--finetune-epochs", defaultValue = "0", description = "Conv nets: fine-tune the pruned net this many "
            + "epochs at the end (SGD Nesterov 0.9, label smoothing 0.1, cosine from --finetune-lr). Default: ${DEFAULT-VALUE}.")
    int finetuneEpochs;

    @Option(names = "--block-finetune", description = "Conv nets: fine-tune one epoch at constant --finetune-lr after each "
            + "pruned block (the authors' option).")
    boolean blockFinetune;

    @Option(names = "--finetune-lr", defaultValue = "0.01", description = "Fine-tune learning rate. Default: ${DEFAULT-VALUE}.")
    double finetuneLr;

    @Option(names = "--iters", defaultValue = "20", description = "i-SpaSP iterations T per layer. Default: ${DEFAULT-VALUE}.")
    int iters;

    @Option(names = "--calib", description = "Calibration images (the first ones of the training split). Default: 2048 for "
            + "MLPs, 1280 for conv nets (the authors' 5 x 256).")
    Integer calib;

    @Option(names = "--score",
            description = "i-SpaSP group score: group-norm (L2 norm of dL/dH per group; the most accurate on MNIST, see README), "
                    + "signed-sum (sum of dL/dH, the authors' choice), correlation (sum of H * dL/dH). Default: group-norm for "
                    + "MLPs (measured on MNIST), correlation for conv nets (measured on ResNet34-CIFAR; see README).")
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

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the pruned model: TorchScript when the name ends in .pt, .pth or .ts, else an engine checkpoint.")
    Path out;

    @Option(names = "--report", required = true, paramLabel = "FILE", description = "Where to write the JSON report.")
    Path report;

    @Override
    public Integer call() throws Exception {
        TorchRuntime.init();
        try (LoadedModel loaded = ModelFile.load(model)) {
            return loaded.isConv() ? pruneConv(loaded.conv()) : pruneMlp(loaded.mlp());
        }
    }

    private int pruneMlp(Mlp dense) throws Exception {
        PruneOptions options = options();
        AtomicFiles.checkWritable(out, "--out");
        AtomicFiles.checkWritable(report, "--report");
        DataOptions.Splits splits = data.load();
        MlpPruneJob.Result result = MlpPruneJob.run(dense, splits.train(), splits.test(), options, new PruneListener() {
            @Override
            public void message(String text) {
                Progress.info(text);
            }
        });
        ModelFile.save(result.model(), out);
        Json.write(report, result.report());
        spec.commandLine().getOut().println(Json.toJson(summary(result.report())));
        return 0;
    }

    PruneOptions options() {
        if (ratio == null) throw new IllegalArgumentException("--ratio is required for MLPs");
        if (layout != null || flopsTarget != null || finetuneEpochs != 0 || blockFinetune) {
            throw new IllegalArgumentException("--layout, --flops-target and fine-tuning apply to conv nets only");
        }
        return PruneOptions.builder().method(Method.parse(method)).ratio(ratio).iterations(iters).calibration(calib == null ? 2048 : calib)
                .score(Score.parse(score == null ? "group-norm" : score)).path(PathChoice.parse(path)).refit(refit).refitLambda(refitLambda)
                .target(Target.parse(target)).gfsCandidates(gfsCandidates).gfsBatch(gfsBatch).seed(seed)
                .earlyStop(!noEarlyStop).device(Device.parse(device)).build();
    }

    private int pruneConv(ConvNet dense) throws Exception {
        if (layout != null && flopsTarget != null) throw new IllegalArgumentException("give --layout or --flops-target, not both");
        if (Target.parse(target) != Target.CURRENT) throw new IllegalArgumentException("conv nets support --target current only");
        if (finetuneEpochs < 0) throw new IllegalArgumentException("--finetune-epochs must be >= 0, got " + finetuneEpochs);
        PruneOptions options = PruneOptions.builder().method(Method.parse(method)).ratio(ratio == null ? 1.0 : ratio)
                .iterations(iters).calibration(calib == null ? 1280 : calib).score(Score.parse(score == null ? "correlation" : score))
                .path(PathChoice.parse(path)).refit(refit).gfsCandidates(gfsCandidates).gfsBatch(gfsBatch).seed(seed)
                .earlyStop(!noEarlyStop).device(Device.parse(device)).batchSize(64).build();
        if (refit) throw new IllegalArgumentException("--refit is not available for conv nets");
        AtomicFiles.checkWritable(out, "--out");
        AtomicFiles.checkWritable(report, "--report");
        Layout l = flopsTarget != null ? null
                : layout == null && ratio == null ? null : Layout.parse(layout, dense.spec(), ratio);
        if (l == null && flopsTarget == null) throw new IllegalArgumentException("give --ratio, --layout or --flops-target");
        DataOptions.ImageSplits splits = data.loadImages();
        var arch = dense.spec().arch();
        ConvPruneJob.Plan plan = new ConvPruneJob.Plan(l, flopsTarget,
                blockFinetune ? ConvTrainConfig.blockFineTune(arch).withLr(finetuneLr).withSeed(seed) : null,
                finetuneEpochs > 0 ? ConvTrainConfig.defaults(arch).withEpochs(finetuneEpochs).withLr(finetuneLr).withSeed(seed) : null);
        ConvPruneJob.Result result = ConvPruneJob.run(dense, splits.train(), splits.test(), null, plan, options);
        try (ConvNet pruned = result.model()) {
            ModelFile.save(pruned, out);
        }
        Json.write(report, result.report());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("out", out.toString());
        m.put("report", report.toString());
        m.put("method", result.report().method());
        m.put("kept", result.report().units().stream().map(u -> u.name() + " " + u.kept() + "/" + u.groups()).toList());
        m.put("params", result.report().params());
        m.put("flops", result.report().flops());
        m.put("accuracy", result.report().accuracy());
        m.put("seconds", result.report().seconds());
        spec.commandLine().getOut().println(Json.toJson(m));
        return 0;
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
