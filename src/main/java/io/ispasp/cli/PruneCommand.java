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
import io.ispasp.core.Threshold;
import io.ispasp.core.Variant;
import io.ispasp.io.Json;
import io.ispasp.io.OutputTransaction;
import io.ispasp.io.OutputTransaction.Output;
import io.ispasp.job.PruneJob;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.nn.Network;
import io.ispasp.prune.Layout;
import io.ispasp.runtime.TorchRuntime;
import io.ispasp.train.NetworkTrainConfig;
import io.ispasp.train.NetworkTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ispasp prune}: prunes the units of any network; writes the smaller model and a JSON report. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Prune a network (MLP, ResNet, wide ResNet, MobileNetV2, VGG; engine checkpoint or TorchScript; BERT-family "
                + "encoder as ONNX): the units "
                + "of a layout, input to output; write the smaller model and a JSON report.")
final class PruneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model to prune: an engine checkpoint or a "
            + "TorchScript file (torchvision resnet18/34/50/101/152, wide_resnet50_2/101_2, mobilenet_v2, vgg11/13/16/19[_bn], "
            + "nn.Sequential MLP), or a BERT-family encoder as ONNX (.onnx; Hugging Face's export).")
    Path model;

    @Option(names = "--method", defaultValue = "ispasp", description = "ispasp, gfs, magnitude, activation, random or flap "
            + "(activation variance x squared norm of B's column, with bias compensation). Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--ratio", description = "Fraction of groups KEPT per unit, in (0, 1]; s = max(1, floor(ratio * N)). Prunes "
            + "every unit at this ratio unless --layout or --flops-target is given (an encoder's attention heads: see --heads).")
    Double ratio;

    @Option(names = "--heads", description = "Encoders: fraction of attention heads KEPT per layer, in (0, 1]; s = max(1, "
            + "floor(heads * N)). Beside --ratio (which prunes the FFN units only); without it the heads stay dense.")
    Double heads;

    @Option(names = "--layout", description = "every (all units at --ratio), reference (the authors': ResNets 0.4/0.4/0.4/1.0 on "
            + "blocks 1..n-2 of each stage; MobileNetV2 0.3 on features 6,9,10,12,13), stages:r1,r2,r3,r4 (blocks 1..n-2), "
            + "stages-all:r1,r2,r3,r4, or units:NAME=R,... (unit or hidden-module names, e.g. layer1.1=0.4,features.6=0.3,2=0.5).")
    String layout;

    @Option(names = "--flops-target", description = "Choose per-unit ratios so the FLOPs are at most this fraction of the dense "
            + "network's (e.g. 0.7), changing its outputs the least on the calibration data (sensitivity scan + greedy).")
    Double flopsTarget;

    @Option(names = "--finetune-epochs", defaultValue = "0", description = "Fine-tune the pruned network this many epochs at the "
            + "end (the family's training recipe, cosine from --finetune-lr). Default: ${DEFAULT-VALUE}.")
    int finetuneEpochs;

    @Option(names = "--block-finetune", description = "Fine-tune one epoch at constant --finetune-lr after each pruned unit "
            + "(the authors' option).")
    boolean blockFinetune;

    @Option(names = "--finetune-lr", defaultValue = "0.01", description = "Fine-tune learning rate. Default: ${DEFAULT-VALUE}.")
    double finetuneLr;

    @Option(names = "--iters", defaultValue = "20", description = "i-SpaSP iterations T per unit. Default: ${DEFAULT-VALUE}.")
    int iters;

    @Option(names = "--calib", description = "Calibration samples (the first ones of the training split). Default: 2048 for "
            + "MLPs, 1280 for image models (the authors' 5 x 256).")
    Integer calib;

    @Option(names = "--score",
            description = "i-SpaSP group score: group-norm (L2 norm of dL/dH per group), signed-sum (sum of dL/dH, the authors' "
                    + "choice), correlation (sum of H * dL/dH). Default: group-norm for MLPs (measured on MNIST), correlation "
                    + "for image models (measured on ResNet34-CIFAR; see README).")
    String score;

    @Option(names = "--path", defaultValue = "auto",
            description = "direct (explicit residual every iteration), statistics (one pass, then N x N algebra) or auto (cost model per unit). Default: ${DEFAULT-VALUE}.")
    String path;

    @Option(names = "--device", defaultValue = "auto",
            description = "Where the statistics pass and the i-SpaSP loop run: cuda (NVIDIA GPU, sm_80+; an error, with the reason, without one), cpu (C++ kernels) "
                    + "or auto (cuda when usable, else cpu; says once what it picked and why). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--memory", paramLabel = "BYTES", description = "Memory for carried activations (each unit's input for "
            + "every calibration sample, passed on from unit to unit so the network costs about one forward pass); what "
            + "does not fit spills to --spill. A number of bytes with an optional K, M or G suffix (binary). Default: a "
            + "quarter of the machine's memory.")
    String memory;

    @Option(names = "--spill", paramLabel = "DIR", description = "Folder for carried activations beyond --memory (scratch "
            + "files that leave no name behind), or 'none' to recompute those units' inputs from the samples instead. "
            + "Default: the system's temporary folder.")
    String spill;

    @Option(names = "--variant", description = "i-SpaSP settings: best (the engine's default: refit of B's kept columns with an "
            + "intercept, least-squares thresholding, best iterate, original target; chosen by measurement, see README) or paper (the authors' "
            + "procedure: signed-sum score, activation-mass threshold, no refit, current target, last iterate). The options "
            + "below override single settings; the report names the variant that ran (custom when overridden). Default: best.")
    String variant;

    @Option(names = "--refit", negatable = true, description = "Refit B's kept input columns by ridge least squares on the "
            + "calibration data (every kind of B: Linear, 1x1 and 3x3 convs, strided or not). Default: on (off in --variant paper).")
    Boolean refit;

    @Option(names = "--threshold", description = "How i-SpaSP cuts the merged candidates back to s groups: lsq (ridge fit on all "
            + "of them, keep the s carrying most of it) or mass (largest activation mass, the authors'). Default: lsq (mass in --variant paper).")
    String threshold;

    @Option(names = "--bias-compensation", negatable = true, description = "Move the dropped groups' mean contribution into B's "
            + "bias or the BN after B (with --refit: fit an intercept). Default: on (off in --variant paper).")
    Boolean biasCompensation;

    @Option(names = "--best-iterate", negatable = true, description = "Return the support of lowest residual (after the refit) "
            + "the loop visited, not the last. Default: on (off in --variant paper).")
    Boolean bestIterate;

    @Option(names = "--refit-lambda", defaultValue = "1e-3", description = "Ridge strength, relative to the mean diagonal of the kept Gram matrix. Default: ${DEFAULT-VALUE}.")
    double refitLambda;

    @Option(names = "--target",
            description = "current: match the still-dense unit on the pruned prefix's output (the authors' scheme); original: "
                    + "match the original network at that unit (corrects earlier units' errors). Default: original (current in --variant paper).")
    String target;

    @Option(names = "--gfs-candidates", defaultValue = "50", description = "GFS candidates per step K (0 = all: exact GFS). Default: ${DEFAULT-VALUE}.")
    int gfsCandidates;

    @Option(names = "--gfs-batch", defaultValue = "128", description = "GFS mini-batch per step. Default: ${DEFAULT-VALUE}.")
    int gfsBatch;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for random pruning and GFS sampling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--no-early-stop", description = "Run all T i-SpaSP iterations even after the support repeats (same result; for timing).")
    boolean noEarlyStop;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the pruned model: TorchScript when the "
            + "name ends in .pt, .pth or .ts, ONNX for .onnx (encoders read from ONNX: the source graph with the pruned weights), "
            + "else an engine checkpoint.")
    Path out;

    @Option(names = "--report", required = true, paramLabel = "FILE", description = "Where to write the JSON report.")
    Path report;

    @Override
    public Integer call() throws Exception {
        TorchRuntime.init();
        if (layout != null && flopsTarget != null) throw new IllegalArgumentException("give --layout or --flops-target, not both");
        if (heads != null && flopsTarget != null) throw new IllegalArgumentException("give --heads or --flops-target, not both");
        ModelFile.checkOutputFor("--out", out, model);
        if (finetuneEpochs < 0) throw new IllegalArgumentException("--finetune-epochs must be >= 0, got " + finetuneEpochs);
        try (OutputTransaction outputs = OutputTransaction.of(ModelFile.output("--out", out), new Output("--report", report));
             Network dense = ModelFile.load(model)) {
            PruneOptions.Builder b = PruneJob.defaults(dense);
            if (calib != null) b.calibration(calib);
            b.settings(variant == null ? null : Variant.parse(variant), score == null ? null : Score.parse(score), refit,
                    threshold == null ? null : Threshold.parse(threshold), biasCompensation, bestIterate,
                    target == null ? null : Target.parse(target));
            PruneOptions options = b.method(Method.parse(method)).ratio(ratio == null ? 1.0 : ratio).iterations(iters)
                    .path(PathChoice.parse(path)).refitLambda(refitLambda)
                    .gfsCandidates(gfsCandidates).gfsBatch(gfsBatch).seed(seed).earlyStop(!noEarlyStop)
                    .device(Device.parse(device)).memory(memory == null ? -1 : bytes("--memory", memory)).spill(spillFolder(spill)).build();
            PruneJob.checkDevice(options.device());
            Layout l = flopsTarget != null ? null : layout == null && ratio == null && heads == null ? null
                    : Layout.parse(layout, dense.architecture(), ratio, heads);
            if (l == null && flopsTarget == null) throw new IllegalArgumentException("give --ratio, --layout or --flops-target");
            DataOptions.Splits splits = data.load(dense, model);
            if (options.method() == Method.GFS) splits.labelledTrain("--method gfs", dense);
            NetworkTrainConfig recipe = NetworkTrainConfig.defaults(dense.architecture()).withLr(finetuneLr).withSeed(seed);
            PruneJob.Tuner block = blockFinetune ? tuner(NetworkTrainConfig.blockFineTune(dense.architecture()).withLr(finetuneLr).withSeed(seed),
                    splits.labelledTrain("--block-finetune", dense)) : null;
            PruneJob.Tuner last = finetuneEpochs > 0 ? tuner(recipe.withEpochs(finetuneEpochs), splits.labelledTrain("--finetune-epochs", dense)) : null;
            var test = splits.test();
            PruneJob.Plan plan = new PruneJob.Plan(l, flopsTarget, layout == null && flopsTarget == null ? ratio : null, splits.input(),
                    block, last, test, true, null);
            PruneJob.Result result = PruneJob.run(dense, splits.calibration(options.calibration()), plan, options,
                    (done, total, r) -> Progress.info(String.format("pruned %s: %d -> %d groups (%d/%d)", r.name(), r.groups(), r.kept(), done, total)));
            try (Network pruned = result.model()) {
                ModelFile.save(pruned, out, outputs, model);
            }
            outputs.writeString(report, Json.toJson(result.report()) + "\n");
            outputs.commit();
            spec.commandLine().getOut().println(Json.toJson(summary(result.report())));
        }
        return 0;
    }

    /** {@code --spill}: a folder that exists, none, or (not given) the system's temporary folder. */
    static java.nio.file.Path spillFolder(String text) {
        if (text == null) return PruneOptions.defaultSpill();
        if (text.equals("none")) return null;
        java.nio.file.Path dir = java.nio.file.Path.of(text).toAbsolutePath();
        if (!java.nio.file.Files.isDirectory(dir)) throw new IllegalArgumentException("--spill " + dir + " is not a folder (give one, or 'none')");
        return dir;
    }

    /** A byte count with an optional binary K, M or G suffix. */
    static long bytes(String option, String text) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) {
            unit = switch (t.charAt(t.length() - 1)) { case 'K' -> 1L << 10; case 'M' -> 1L << 20; default -> 1L << 30; };
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t);
            if (v < 0 || v > Long.MAX_VALUE / unit) throw new NumberFormatException();
            return v * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number of bytes >= 0 with an optional K, M or G suffix, got '" + text + "'");
        }
    }

    private static PruneJob.Tuner tuner(NetworkTrainConfig config, io.ispasp.data.LabeledData train) {
        return net -> new NetworkTrainer(config, Progress.training()).train(net, train);
    }

    private Map<String, Object> summary(PruneReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("out", out.toString());
        m.put("report", report.toString());
        m.put("method", r.method());
        if ("ispasp".equals(r.method())) m.put("variant", r.variant());
        m.put("kept", r.units().stream().map(u -> u.name() + " " + u.kept() + "/" + u.groups()).toList());
        m.put("params", r.params());
        m.put("flops", r.flops());
        m.put("accuracy", r.accuracy());
        if (r.fidelity() != null) m.put("fidelity", r.fidelity());
        m.put("seconds", r.seconds());
        return m;
    }
}
